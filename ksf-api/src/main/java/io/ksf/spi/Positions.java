package io.ksf.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Source positions, per partition, in Kafka's next-offset convention: the value for a partition is the offset of
 * the next record to read, one past the last record made durable. Immutable.
 */
public final class Positions {
    private static final Positions EMPTY = new Positions(new TreeMap<>());

    private final Map<SourcePartition, Long> next;

    private Positions(TreeMap<SourcePartition, Long> next) {
        this.next = Collections.unmodifiableMap(next);
    }

    /** No positions. */
    public static Positions empty() {
        return EMPTY;
    }

    /** Positions from next offsets per partition. */
    public static Positions of(Map<SourcePartition, Long> nextOffsets) {
        return nextOffsets.isEmpty() ? EMPTY : new Positions(new TreeMap<>(nextOffsets));
    }

    /** The position just past one record. */
    public static Positions after(KsfRecord record) {
        return of(Map.of(record.topicPartition(), record.offset() + 1));
    }

    /** Next offset per partition, sorted by topic and partition. */
    public Map<SourcePartition, Long> asMap() {
        return next;
    }

    /** The next offset of one partition, or -1 when this has no position for it. */
    public long next(SourcePartition partition) {
        return next.getOrDefault(partition, -1L);
    }

    /** True when no partition has a position. */
    public boolean isEmpty() {
        return next.isEmpty();
    }

    /** The union with another, keeping the higher position where both have one. */
    public Positions merge(Positions other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        TreeMap<SourcePartition, Long> merged = new TreeMap<>(next);
        other.next.forEach((tp, offset) -> merged.merge(tp, offset, Math::max));
        return new Positions(merged);
    }

    /** Only the positions of these partitions. */
    public Positions only(Collection<SourcePartition> partitions) {
        TreeMap<SourcePartition, Long> kept = new TreeMap<>(next);
        kept.keySet().retainAll(partitions);
        return new Positions(kept);
    }

    /** All positions except those of these partitions. */
    public Positions without(Collection<SourcePartition> partitions) {
        TreeMap<SourcePartition, Long> kept = new TreeMap<>(next);
        kept.keySet().removeAll(partitions);
        return new Positions(kept);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Positions p && next.equals(p.next);
    }

    @Override
    public int hashCode() {
        return next.hashCode();
    }

    @Override
    public String toString() {
        return next.toString();
    }
}
