package io.ksf.spi;

import java.util.Collection;
import java.util.List;

/**
 * Where records go, such as an S3 bucket, a DocumentDB collection or a local folder. Abilities that only some
 * targets have are interfaces of their own that a target implements beside this one: {@link SupportsRecovery},
 * {@link SupportsPositionCommit}, {@link SupportsServerCheck}.
 *
 * <p>Lifecycle, on one thread:
 * <ol>
 *   <li>{@link #open(TargetContext)} hands over the runtime's services, before anything is written.</li>
 *   <li>{@link #write(List)} takes records; it may buffer them, or already store complete objects.</li>
 *   <li>{@link #flush()} makes everything written so far durable and returns the positions just past the records
 *       it stored, per partition. Only those positions are committed to the source. If it throws, nothing is
 *       committed and the written records stay buffered, so a later flush may succeed.</li>
 *   <li>{@link #startFlush()} is the same in two steps: async mode writes the next records while the flush
 *       stores.</li>
 *   <li>{@link #discard} drops what is buffered for partitions lost to another reader.</li>
 *   <li>{@link #close()} releases resources without flushing.</li>
 * </ol>
 * The same input must give the same stored result, so a replay after a crash overwrites rather than duplicates.
 */
public interface Target extends AutoCloseable {

    /** Receives the runtime's services; a target that refuses no record may ignore it. */
    default void open(TargetContext context) {
    }

    /**
     * Takes records after the processors; it may buffer them or store complete objects, but nothing is durable before
     *   {@link #flush()}.
     */
    void write(List<KsfRecord> records);

    /**
     * Makes everything written so far durable.
     * @return per partition, the position just past the last record stored; only these are committed
     */
    Positions flush();

    /**
     * Starts a flush of everything written so far and may return before it is durable, so that async mode writes
     * the next records while this flush stores (an S3 target uploads its objects meanwhile). Records written after
     * this call belong to the next flush. The runtime starts one at a time and awaits it before it starts another,
     * commits, recovers or discards. By default the whole flush runs here.
     */
    default PendingFlush startFlush() {
        Positions positions = flush();
        return new PendingFlush() {
            @Override
            public boolean isDone() {
                return true;
            }

            @Override
            public Positions await() {
                return positions;
            }
        };
    }

    /**
     * True when this target can store records whose value was not decoded, copying the bytes of a value in the
     * source's format as they are; the runtime then decodes only what a processor or the format needs.
     */
    default boolean takesUndecoded(Format sourceFormat) {
        return false;
    }

    /** These partitions were lost to another reader: drop what is buffered for them. */
    void discard(Collection<SourcePartition> partitions);

    @Override
    void close();
}
