package io.ksf.source.s3;

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
}
