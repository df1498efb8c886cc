package io.ksf.spi;

import java.time.Duration;
import java.util.Collection;

/**
 * What the runtime offers a source, handed to {@link Source#open(SourceContext)}: where the source reports changes
 * of its assignment, and where it gives the hints the runtime sizes itself by. Every method is a no-op by default,
 * so a tool that reads a source without a pipeline can pass {@link #NONE}.
 *
 * <p>Assignment changes are reported on the poll thread, during {@link Source#poll}, as Kafka's
 * {@code ConsumerRebalanceListener} is called; hints are given in {@code open}.
 */
public interface SourceContext {
    SourceContext NONE = new SourceContext() {
    };

    /** These partitions are now read by this source. */
    default void assigned(Collection<SourcePartition> partitions) {
    }

    /** These partitions are about to go to another reader: the runtime flushes and commits them before it returns. */
    default void revoked(Collection<SourcePartition> partitions) {
    }

    /** These partitions already belong to another reader: the runtime drops their buffers and commits nothing. */
    default void lost(Collection<SourcePartition> partitions) {
    }

    /**
     * A hint: the longest a polled record should wait for the target's flush, when this source needs less than the
     * pipeline's {@code flush.interval} (the http source, whose clients wait for an answer).
     */
    default void limitLatency(Duration maxLatency) {
    }

    /**
     * A hint: the most bytes this source holds in buffers of its own (fetched and not yet returned by
     * {@link Source#poll}); the runtime counts them against {@code memory.budget} and leaves the rest to records in
     * flight (the kafka source: its consumer's fetch buffers).
     */
    default void reserveMemory(long bytes) {
    }

    /**
     * The topics of the pipeline's target, when the target can describe them ({@link SupportsTopicMetadata}, the
     * kafka target), else null. For a source that answers its clients about topics (the http source).
     */
    default SupportsTopicMetadata targetTopics() {
        return null;
    }
}
