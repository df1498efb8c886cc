package io.ksf.checkpoint;

import io.ksf.spi.Positions;

import java.util.Map;

/**
 * A source that keeps its checkpoints in a {@link CheckpointStore} (the s3 and kinesis sources). A target that
 * stores the checkpoints with its own data asks for them instead of the source saving them: the kafka target with
 * {@code exactly.once} writes them into each flush's transaction when the store is the Kafka one.
 */
public interface CheckpointedSource {

    /** Where the source keeps its checkpoints. */
    CheckpointStore checkpointStore();

    /**
     * The checkpoint of each store shard these positions change, encoded as the store keeps it. The source takes
     * them as committed when it hands them over: if the target then fails to store them, the pipeline stops and a
     * restart reads what was stored.
     */
    Map<Integer, byte[]> checkpoints(Positions positions);
}
