package io.ksf.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Where records come from, such as a Kafka topic. Abilities that only some sources have are interfaces of their
 * own that a source implements beside this one: {@link SupportsResumePositions}, {@link SupportsLag},
 * {@link SupportsDeadLetterNotice}, {@link SupportsStoredNotice}, {@link SupportsServerCheck}.
 *
 * <p>Lifecycle, all on the runtime's poll thread unless said otherwise:
 * <ol>
 *   <li>{@link #open(SourceContext)} subscribes; assignment changes reach the context during {@link #poll}.</li>
 *   <li>{@link #poll(Duration)} returns the next batch, possibly empty.</li>
 *   <li>{@link #commit(Positions)} receives only positions whose records the target has made durable.</li>
 *   <li>{@link #pause} and {@link #resume} hold back and release partitions when the memory budget is full.</li>
 *   <li>{@link #wakeup()} may be called from any thread to make a blocked {@code poll} return early.</li>
 *   <li>{@link #close()} releases everything; it does not commit.</li>
 * </ol>
 */
public interface Source extends AutoCloseable {

    /** Starts reading; the runtime calls it once, before the first poll. */
    void open(SourceContext context);

    /** The next records, waiting at most {@code timeout} for some; an empty list when none came or on wakeup. */
    List<KsfRecord> poll(Duration timeout);

    /** Stores these positions durably (synchronously) so that a restart resumes from them. */
    void commit(Positions positions);

    /** Stops returning records of these partitions until resumed (backpressure). */
    void pause(Collection<SourcePartition> partitions);

    /** Returns records of these partitions again. */
    void resume(Collection<SourcePartition> partitions);

    /** Makes a blocked or the next {@link #poll} return at once. Safe from any thread. */
    void wakeup();

    @Override
    void close();
}
