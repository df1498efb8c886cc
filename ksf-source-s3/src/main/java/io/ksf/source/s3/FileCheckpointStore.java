package io.ksf.source.s3;

import io.ksf.spi.KsfException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** A checkpoint in a local file, replaced atomically (written beside it, synced, renamed): for local runs. */
final class FileCheckpointStore implements CheckpointStore {
    private final Path file;

    FileCheckpointStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    @Override
    public Checkpoint load(int shard) {
        try {
            return Files.exists(file) ? CheckpointStore.decode(Files.readAllBytes(file), describe())
                    : Checkpoint.empty();
        } catch (IOException e) {
            throw new KsfException("cannot read the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(int shard, Checkpoint checkpoint) {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(CheckpointStore.encode(checkpoint)));
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new KsfException("cannot write the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return file.toString();
    }
}
