package io.ksf.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.KsfException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The durable state of an S3 source: every object it knows under its prefix, by key, and the frontier, the key up
 * to which listings no longer look (objects at or before it were finished and forgotten).
 *
 * @param frontier the largest forgotten key, or null while none was
 * @param objects  the known objects, in key order
 */
record Checkpoint(String frontier, TreeMap<String, ObjectProgress> objects) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Checkpoint empty() {
        return new Checkpoint(null, new TreeMap<>());
    }

    /** A copy, so a store can write it while the source goes on. */
    Checkpoint copy() {
        return new Checkpoint(frontier, new TreeMap<>(objects));
    }

    /**
     * Forgets the smallest finished keys beyond {@code keep} finished ones, never past an unfinished key, and moves
     * the frontier to the last one forgotten: listings start after it.
     */
    Checkpoint forget(int keep) {
        long finished = objects.values().stream().filter(ObjectProgress::finished).count();
        String newFrontier = frontier;
        TreeMap<String, ObjectProgress> kept = new TreeMap<>(objects);
        for (Map.Entry<String, ObjectProgress> entry : objects.entrySet()) {
            if (finished <= keep || !entry.getValue().finished()) {
                break;
            }
            kept.remove(entry.getKey());
            newFrontier = entry.getKey();
            finished--;
        }
        return new Checkpoint(newFrontier, kept);
    }

    /** The checkpoint as a store keeps it: JSON. */
    byte[] encode() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A checkpoint a store kept, or an empty one for null (none saved yet); {@code where} names it in errors. */
    static Checkpoint decode(byte[] json, String where) {
        if (json == null) {
            return empty();
        }
        try {
            Checkpoint checkpoint = JSON.readValue(json, Checkpoint.class);
            return checkpoint.objects() == null ? new Checkpoint(checkpoint.frontier(), empty().objects())
                    : checkpoint;
        } catch (IOException e) {
            throw new KsfException("the S3 source's checkpoint " + where + " is not readable: "
                    + e.getMessage(), e);
        }
    }
}
