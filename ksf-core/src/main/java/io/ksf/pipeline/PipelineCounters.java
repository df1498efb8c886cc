package io.ksf.pipeline;

import io.ksf.spi.Positions;

import java.util.concurrent.TimeUnit;

/**
 * A pipeline's counts, kept twice: as plain fields for {@link PipelineStats} (exact, read from any thread) and as
 * the pipeline's meters. Written by the poll thread, except flushes, which the async flush worker counts.
 */
final class PipelineCounters {
    private final PipelineMetrics metrics;
    private volatile long recordsIn;
    private volatile long bytesIn;
    private volatile long recordsWritten;
    private volatile long recordsFiltered;
    private volatile long recordsDeadLettered;
    private volatile long flushes;
    private volatile long commits;
    private volatile Positions committed = Positions.empty();

    PipelineCounters(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    /** One polled batch: records and bytes in, records handed to the target and to the dead letters. */
    void handled(int records, long bytes, int written, int deadLettered) {
        recordsIn += records;
        bytesIn += bytes;
        recordsWritten += written;
        recordsDeadLettered += deadLettered;
        metrics.recordsIn.increment(records);
        metrics.bytesIn.increment(bytes);
        metrics.recordsWritten.increment(written);
        metrics.recordsDeadLettered.increment(deadLettered);
    }

    void filtered() {
        recordsFiltered++;
        metrics.recordsFiltered.increment();
    }

    /** @return the number of flushes so far */
    long flushed(long nanos) {
        metrics.flushed(nanos);
        return ++flushes;
    }

    void committed(Positions positions, long nanos) {
        metrics.commit.record(nanos, TimeUnit.NANOSECONDS);
        committed = committed.merge(positions);
        commits++;
    }

    Positions committed() {
        return committed;
    }

    PipelineStats stats() {
        return new PipelineStats(recordsIn, bytesIn, recordsWritten, recordsFiltered, recordsDeadLettered, flushes,
                commits, committed);
    }
}
