package io.ksf.contract;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsResumePositions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A source over a fixed list of records, read partition by partition in offset order, as a consumer would. It
 * starts from given positions (a restart), returns at most {@code maxPollRecords} per poll, and remembers what was
 * committed. Polls, commits and reads of its state are safe from any thread.
 */
public final class InMemorySource implements Source, SupportsResumePositions {
    private final Map<SourcePartition, List<KsfRecord>> partitions = new TreeMap<>();
    private final Map<SourcePartition, Long> position = new ConcurrentHashMap<>();
    private final Map<SourcePartition, Long> committed = new ConcurrentHashMap<>();
    private final int maxPollRecords;
    private final AtomicBoolean woken = new AtomicBoolean();
    private volatile boolean open;
    private volatile boolean closed;
    private volatile int commits;
    private final Set<SourcePartition> paused = ConcurrentHashMap.newKeySet();
    private volatile int pauses;

    /** A source of these records, from the start, 500 per poll. */
    public InMemorySource(List<KsfRecord> records) {
        this(records, Positions.empty(), 500);
    }

    /**
     * @param records        every record, in any order
     * @param start          where to start per partition (next-offset convention); partitions not in it start at 0
     * @param maxPollRecords the most records one poll returns
     */
    public InMemorySource(List<KsfRecord> records, Positions start, int maxPollRecords) {
        for (KsfRecord record : records) {
            partitions.computeIfAbsent(record.topicPartition(), tp -> new ArrayList<>()).add(record);
        }
        partitions.values().forEach(list -> list.sort(Comparator.comparingLong(KsfRecord::offset)));
        partitions.keySet().forEach(tp -> position.put(tp, Math.max(0, start.next(tp))));
        committed.putAll(start.asMap());
        this.maxPollRecords = maxPollRecords;
    }

    @Override
    public void open(SourceContext context) {
        open = true;
        context.assigned(List.copyOf(partitions.keySet()));
    }

    @Override
    public List<KsfRecord> poll(Duration timeout) {
        if (!open || closed) {
            throw new IllegalStateException("poll on a source that is not open");
        }
        List<KsfRecord> batch = new ArrayList<>();
        for (Map.Entry<SourcePartition, List<KsfRecord>> entry : partitions.entrySet()) {
            if (paused.contains(entry.getKey())) {
                continue;
            }
            long next = position.get(entry.getKey());
            for (KsfRecord record : entry.getValue()) {
                if (batch.size() >= maxPollRecords) {
                    break;
                }
                if (record.offset() >= next) {
                    batch.add(record);
                    next = record.offset() + 1;
                }
            }
            position.put(entry.getKey(), next);
        }
        if (batch.isEmpty()) {
            idle(timeout);
        }
        return batch;
    }

    private void idle(Duration timeout) {
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), TimeUnit.MILLISECONDS.toNanos(20));
        while (!woken.getAndSet(false) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Override
    public Positions resumePositions(Collection<SourcePartition> assigned) {
        Map<SourcePartition, Long> resume = new TreeMap<>();
        assigned.forEach(tp -> resume.put(tp, position.get(tp)));
        return Positions.of(resume);
    }

    @Override
    public void commit(Positions positions) {
        committed.putAll(positions.asMap());
        commits++;
    }

    @Override
    public void pause(Collection<SourcePartition> partitions) {
        paused.addAll(partitions);
        pauses++;
    }

    @Override
    public void resume(Collection<SourcePartition> partitions) {
        paused.removeAll(partitions);
    }

    /** How many times the runtime paused partitions (backpressure). */
    public int pauses() {
        return pauses;
    }

    @Override
    public void wakeup() {
        woken.set(true);
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Everything committed so far, per partition. */
    public Positions committed() {
        return Positions.of(committed);
    }

    /** Positions just past the last record of every partition. */
    public Positions endPositions() {
        Map<SourcePartition, Long> end = new TreeMap<>();
        partitions.forEach((tp, list) -> end.put(tp, list.get(list.size() - 1).offset() + 1));
        return Positions.of(end);
    }

    /** True once every record was committed. */
    public boolean fullyCommitted() {
        return committed().equals(endPositions());
    }

    /** How many commits were made. */
    public int commits() {
        return commits;
    }

    /** Whether the pipeline closed this source. */
    public boolean isClosed() {
        return closed;
    }
}
