package io.ksf.spi;

import java.util.Collection;

/**
 * What the runtime hears of partition assignment changes. Sources call it on the poll thread, as Kafka's
 * {@code ConsumerRebalanceListener} does; every method is a no-op by default.
 */
public interface PartitionListener {
    PartitionListener NONE = new PartitionListener() {
    };

    /** These partitions are now read by this source. */
    default void onAssigned(Collection<SourcePartition> partitions) {
    }

    /** These partitions are about to go to another reader: flush and commit them now. */
    default void onRevoked(Collection<SourcePartition> partitions) {
    }

    /** These partitions already belong to another reader: drop their buffers, commit nothing. */
    default void onLost(Collection<SourcePartition> partitions) {
    }
}
