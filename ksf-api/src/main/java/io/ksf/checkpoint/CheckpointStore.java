package io.ksf.checkpoint;

import java.util.Map;
import java.util.Set;

/**
 * Where a source whose servers keep no positions for it (S3 objects, Kinesis shards) keeps its checkpoints: one
 * document per store shard (bytes that the source encodes), written after each commit, read when the shard is
 * assigned. A store with one shard owns it from the start; a store that shares its shards among the instances of a
 * pipeline (the Kafka one, through a consumer group) assigns and revokes them during {@link #poll()}.
 */
public interface CheckpointStore extends AutoCloseable {

    /** Which shards this instance owns, as they change. Called on the poll thread. */
    interface ShardListener {
        /** These shards are this instance's now: load their checkpoints and read. */
        void onAssigned(Set<Integer> shards);

        /** These shards go to another instance: make what was read of them durable and commit it first. */
        void onRevoked(Set<Integer> shards);

        /** These shards went to another instance already: drop their state without committing. */
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

    /** The last checkpoint saved for the shard, or null when there is none yet. */
    byte[] load(int shard);

    /**
     * The last checkpoint committed for a shard that another instance may own and be writing: read without waiting
     * for a write in progress, so it may be a moment old. A store with one owner reads it as {@link #load} does.
     */
    default byte[] peek(int shard) {
        return load(shard);
    }

    /** Replaces the shard's checkpoint, durably, before returning. */
    void save(int shard, byte[] checkpoint);

    /** Saves the checkpoints of several shards; a shared store may write them at once. */
    default void saveAll(Map<Integer, byte[]> checkpoints) {
        checkpoints.forEach(this::save);
    }

    /** Where it is, for logs and errors. */
    String describe();

    @Override
    default void close() {
    }
}
