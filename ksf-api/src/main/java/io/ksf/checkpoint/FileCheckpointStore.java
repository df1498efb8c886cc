package io.ksf.checkpoint;

import io.ksf.spi.KsfException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A checkpoint in a local file, replaced atomically (written beside it, synced, renamed): one shard, for one
 * instance and local runs.
 */
public final class FileCheckpointStore implements CheckpointStore {
    private final Path file;

    /** A store in this file; its folder is created on the first save. */
    public FileCheckpointStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    @Override
    public byte[] load(int shard) {
        try {
            return Files.exists(file) ? Files.readAllBytes(file) : null;
        } catch (IOException e) {
            throw new KsfException("cannot read the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(int shard, byte[] checkpoint) {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(checkpoint));
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
