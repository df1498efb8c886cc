package io.ksf.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where records come from, such as a Kafka topic.
 *
 * <p>Lifecycle, all on the runtime's poll thread unless said otherwise:
 * <ol>
 *   <li>{@link #open(PartitionListener)} subscribes; assignment changes reach the listener during {@link #poll}.</li>
 *   <li>{@link #poll(Duration)} returns the next batch, possibly empty.</li>
 *   <li>{@link #commit(Positions)} receives only positions whose records the target has made durable.</li>
 *   <li>{@link #wakeup()} may be called from any thread to make a blocked {@code poll} return early.</li>
 *   <li>{@link #close()} releases everything; it does not commit.</li>
 * </ol>
 */
public interface Source extends AutoCloseable {

    /** Starts reading; the runtime calls it once, before the first poll. */
    void open(PartitionListener listener);

    /** The next records, waiting at most {@code timeout} for some; an empty list when none came or on wakeup. */
    List<KsfRecord> poll(Duration timeout);

    /** Stores these positions durably (synchronously) so that a restart resumes from them. */
    void commit(Positions positions);

    /**
     * Where reading of these newly assigned partitions resumes: the position of the next record {@link #poll}
     * returns for each, after any reset. Called from {@link PartitionListener#onAssigned}, so the runtime can
     * have the target remove what an earlier run stored past its last commit. Empty when the source cannot tell.
     */
    default Positions resumePositions(Collection<SourcePartition> partitions) {
        return Positions.empty();
    }

    /**
     * Connects to the servers this source reads from and checks what reading needs (reachable, authenticated,
     * topics present and readable), each check within {@code timeout}; never throws for a failed check. The
     * runtime runs it when no partition is assigned within the startup timeout, and {@code ksf check} always.
     */
    default List<Check> check(Duration timeout) {
        return List.of();
    }

    /** Stops returning records of these partitions until resumed (backpressure). */
    default void pause(Collection<SourcePartition> partitions) {
    }

    /** Returns records of these partitions again. */
    default void resume(Collection<SourcePartition> partitions) {
    }

    /** Records behind the end of each assigned partition, where the source knows it (for metrics); poll thread. */
    default Map<SourcePartition, Long> lag() {
        return Map.of();
    }

    /**
     * The longest a polled record should wait for the target's flush, when this source needs less than the
     * pipeline's {@code flush.interval} (a client waiting for an answer, say); null to leave the pipeline's.
     */
    default Duration maxLatency() {
        return null;
    }

    /**
     * The runtime sent a record of this source to the dead-letter destination instead of the target; the dead
     * letter has the record's topic, partition and offset, and its error in the {@code ksf.error.message}
     * header. Called before the record's position is committed, on the thread that writes to the targets.
     */
    default void deadLettered(KsfRecord deadLetter) {
    }

    /**
     * The most bytes this source holds in buffers of its own (fetched and not yet returned by {@link #poll}); the
     * runtime counts them against the pipeline's {@code memory.budget} and leaves the rest to records in flight.
     */
    default long bufferedBytesBound() {
        return 0;
    }

    /** Makes a blocked or the next {@link #poll} return at once. Safe from any thread. */
    default void wakeup() {
    }

    @Override
    void close();
}
