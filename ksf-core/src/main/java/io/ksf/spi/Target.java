package io.ksf.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Where records go, such as an S3 bucket, a DocumentDB collection or a local folder.
 *
 * <p>Lifecycle, on one thread:
 * <ol>
 *   <li>{@link #write(List)} takes records; it may buffer them, or already store complete objects.</li>
 *   <li>{@link #flush()} makes everything written so far durable and returns the positions just past the records
 *       it stored, per partition. Only those positions are committed to the source. If it throws, nothing is
 *       committed and the written records stay buffered, so a later flush may succeed.</li>
 *   <li>{@link #startFlush()} is the same in two steps: async mode writes the next records while the flush
 *       stores.</li>
 *   <li>{@link #close()} releases resources without flushing.</li>
 * </ol>
 * The same input must give the same stored result, so a replay after a crash overwrites rather than duplicates.
 */
public interface Target extends AutoCloseable {

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
     * True when this target can store the source's value bytes exactly as they are, so the runtime need not
     * decode records (when no processor runs either).
     */
    default boolean writesRaw(Format sourceFormat) {
        return false;
    }

    /**
     * Records the last {@link #flush()} refused to store while it stored the others; their positions are among
     * those it returned. The runtime sends them to the dead letters (or stops, without committing, when there is
     * no dead-letter destination). Calling this empties the list.
     */
    default List<Rejected> takeRejected() {
        return List.of();
    }

    /**
     * Connects to the servers this target writes to and checks what writing needs, each check within
     * {@code timeout}; never throws for a failed check. With {@code probeWrite} (as {@code ksf check} asks), it
     * also stores a small probe where records go and removes it again; without, it only connects and
     * authenticates, as the runtime does at start.
     */
    default List<Check> check(Duration timeout, boolean probeWrite) {
        return List.of();
    }

    /**
     * These partitions were just assigned and the source resumes them at these positions: anything this target
     * stored for them at or past a position was stored by an earlier run that crashed before committing it. A
     * target that stores objects removes those objects, because the replay writes their records again and may
     * cut its objects at other offsets; a target whose writes are idempotent upserts or appends does nothing.
     * Called before any record of these partitions is written.
     */
    default void recover(Positions resumeAt) {
    }

    /**
     * Exactly-once: true when this target stores the source's positions itself, atomically with the data of each
     * flush (a Kafka transaction that carries the consumer group's offsets). The runtime asks once, before the
     * source opens; when the answer is true it flushes on the poll thread in every mode, and hands each commit to
     * {@link #commit(Positions)} instead of the source.
     *
     * @throws KsfException when this target was asked for exactly-once but cannot do it with this source
     */
    default boolean commitsPositionsOf(Source source) {
        return false;
    }

    /**
     * Only after {@link #commitsPositionsOf} answered true: makes everything flushed since the last commit visible
     * together with these positions, all or nothing. When it throws, neither the data nor the positions were
     * stored, and the pipeline stops; a restart resumes at the last committed positions.
     */
    default void commit(Positions positions) {
        throw new UnsupportedOperationException(getClass().getName() + " does not commit positions");
    }

    /** These partitions were lost to another reader: drop what is buffered for them. */
    default void discard(Collection<SourcePartition> partitions) {
    }

    @Override
    void close();
}
