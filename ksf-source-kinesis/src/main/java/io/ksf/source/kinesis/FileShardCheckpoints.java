package io.ksf.source.kinesis;

import io.ksf.spi.KsfException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/** Checkpoints in a local JSON file, replaced atomically (write, fsync, rename): for one instance. */
final class FileShardCheckpoints implements ShardCheckpointStore {
    private final Path file;
    private final Map<String, ShardCheckpoint> all = new TreeMap<>();

    FileShardCheckpoints(Path file) {
        this.file = file;
    }

    @Override
    public Map<String, ShardCheckpoint> load() {
        all.clear();
        if (Files.exists(file)) {
            try {
                all.putAll(ShardCheckpointStore.decodeAll(Files.readAllBytes(file), describe()));
            } catch (IOException e) {
                throw new KsfException("cannot read " + describe() + ": " + e.getMessage(), e);
            }
        }
        return Map.copyOf(all);
    }

    @Override
    public void save(Map<String, ShardCheckpoint> checkpoints) {
        all.putAll(checkpoints);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.write(temp, ShardCheckpointStore.encode(all));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new KsfException("cannot write " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "file " + file;
    }
}
