package io.ksf.source.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.KsfException;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Where an S3 source keeps its {@link Checkpoint}: written after each commit, read once at start. */
interface CheckpointStore extends AutoCloseable {
    ObjectMapper JSON = new ObjectMapper();

    /** The last checkpoint saved, or an empty one when there is none yet. */
    Checkpoint load();

    /** Replaces the checkpoint, durably, before returning. */
    void save(Checkpoint checkpoint);

    /** Where it is, for logs and errors. */
    String describe();

    @Override
    default void close() {
    }

    static byte[] encode(Checkpoint checkpoint) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Checkpoint decode(byte[] json, String where) {
        try {
            Checkpoint checkpoint = JSON.readValue(json, Checkpoint.class);
            return checkpoint.objects() == null ? new Checkpoint(checkpoint.frontier(), Checkpoint.empty().objects())
                    : checkpoint;
        } catch (IOException e) {
            throw new KsfException("the S3 source's checkpoint " + where + " is not readable: "
                    + e.getMessage(), e);
        }
    }
}
