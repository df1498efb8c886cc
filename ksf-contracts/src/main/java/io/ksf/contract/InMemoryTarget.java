package io.ksf.contract;

import io.ksf.spi.Format;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.RetriableException;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.Target;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A target that keeps flushed records in memory, for tests of pipelines and processors. It can be told to fail
 * its next flushes, retriably or not, to test that nothing is committed for data that is not durable.
 */
public final class InMemoryTarget implements Target {
    private final List<KsfRecord> buffered = new ArrayList<>();
    private final List<KsfRecord> stored = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile boolean retriableFailures;
    private volatile boolean closed;
    private volatile int flushes;

    @Override
    public void write(List<KsfRecord> records) {
        buffered.addAll(records);
    }

    @Override
    public Positions flush() {
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            String message = "flush failure injected by the test";
            throw retriableFailures ? new RetriableException(message) : new KsfException(message);
        }
        Map<SourcePartition, Long> positions = new HashMap<>();
        for (KsfRecord record : buffered) {
            positions.merge(record.topicPartition(), record.offset() + 1, Math::max);
        }
        stored.addAll(buffered);
        buffered.clear();
        flushes++;
        return Positions.of(positions);
    }

    /** Accepts undecoded values, so pipelines without processors pass bytes through. */
    @Override
    public boolean takesUndecoded(Format sourceFormat) {
        return true;
    }

    @Override
    public void discard(Collection<SourcePartition> partitions) {
        buffered.removeIf(record -> partitions.contains(record.topicPartition()));
    }

    @Override
    public void close() {
        closed = true;
        buffered.clear();
    }

    /** The next {@code count} flushes throw, as {@link RetriableException} when {@code retriable}. */
    public InMemoryTarget failNextFlushes(int count, boolean retriable) {
        this.retriableFailures = retriable;
        failuresLeft.set(count);
        return this;
    }

    /** Records made durable by a flush, in order. */
    public List<KsfRecord> stored() {
        return List.copyOf(stored);
    }

    /** How many flushes were made. */
    public int flushes() {
        return flushes;
    }

    /** Whether the pipeline closed this target. */
    public boolean isClosed() {
        return closed;
    }
}
