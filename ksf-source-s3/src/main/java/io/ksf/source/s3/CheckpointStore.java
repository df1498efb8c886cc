package io.ksf.source.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.KsfException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * Where an S3 source keeps its {@link Checkpoint}s: one per shard (an object belongs to shard hash(key) mod
 * {@link #shards()}), written after each commit, read when the shard is assigned. A store with one shard owns it
 * from the start; a store that shares shards among instances assigns and revokes them during {@link #poll()}.
 */
interface CheckpointStore extends AutoCloseable {
    ObjectMapper JSON = new ObjectMapper();

    /** Which shards this instance owns, as they change. Called on the poll thread. */
    interface ShardListener {
        void onAssigned(Set<Integer> shards);

        void onRevoked(Set<Integer> shards);

        /** The shards went to another instance already: drop their state without committing. */
        void onLost(Set<Integer> shards);
    }

    /** How many shards there are. */
    default int shards() {
        return 1;
    }

    /** Starts; the shards owned arrive at the listener, now or during a later {@link #poll()}. */
    default void open(ShardListener listener) {
        listener.onAssigned(Set.of(0));
    }

    /** Keeps a shared store's membership alive; it may call the listener. Called by every poll of the source. */
    default void poll() {
    }

    /** The last checkpoint saved for the shard, or an empty one when there is none yet. */
    Checkpoint load(int shard);

    /** Replaces the shard's checkpoint, durably, before returning. */
    void save(int shard, Checkpoint checkpoint);

    /** Saves the checkpoints of several shards; a shared store may write them at once. */
    default void saveAll(Map<Integer, Checkpoint> checkpoints) {
        checkpoints.forEach(this::save);
    }

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
