package io.ksf.spi;

import java.util.Comparator;
import java.util.Objects;

/** One partition of one topic. */
public record SourcePartition(String topic, int partition) implements Comparable<SourcePartition> {
    private static final Comparator<SourcePartition> ORDER =
            Comparator.comparing(SourcePartition::topic).thenComparingInt(SourcePartition::partition);

    public SourcePartition {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public int compareTo(SourcePartition other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
