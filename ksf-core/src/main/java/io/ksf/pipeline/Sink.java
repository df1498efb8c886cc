package io.ksf.pipeline;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The target side of a pipeline, as the poll thread sees it: batches go in, durable positions come out. Sync mode
 * writes and flushes on the poll thread ({@link DirectSink}); async mode on a worker ({@link AsyncSink}).
 */
interface Sink extends AutoCloseable {

    /**
     * Hands over one polled batch after the processors.
     *
     * @param out     records for the target
     * @param bad     dead letters
     * @param dropped next offsets of records the processors dropped on purpose
     * @param bytes   what the records hold in memory, counted against the memory budget
     */
    void write(List<KsfRecord> out, List<KsfRecord> bad, Map<SourcePartition, Long> dropped, long bytes);

    /**
     * Starts a flush of everything written so far; sync mode completes it before returning. Async mode starts none
     * while the positions of the previous flush have not been taken (and so committed) yet, so that at most one
     * generation of stored and uncommitted objects exists per partition.
     *
     * @return whether a flush was started
     */
    boolean flush();

    /** Waits for a flush that {@link #flush()} started (async mode), so its positions can be committed first. */
    void awaitFlush();

    /** Flushes everything written so far and waits: afterwards nothing is in flight. */
    void drain();

    /** Positions made durable since the last call, in flush order (empty when none). */
    Positions takeDurable();

    /**
     * Bytes handed over and not yet durable, with what the target's open objects hold beyond them
     * ({@link io.ksf.spi.SupportsHeldMemory}).
     */
    long inFlightBytes();

    /** Newly assigned partitions resume at these positions: the targets remove what was stored past them. */
    void recover(Positions resumeAt);

    /** Drops what is buffered for partitions lost to another reader. */
    void discard(Collection<SourcePartition> partitions);

    @Override
    void close();
}
