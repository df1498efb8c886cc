package io.ksf.spi;

/**
 * A target that stores the source's positions itself, atomically with the data of each flush: exactly-once (the
 * kafka target with {@code exactly.once}, whose transactions carry the consumer group's offsets or the source's
 * checkpoints). The runtime then hands each commit to the target instead of the source, and flushes on the poll
 * thread in every mode, so that a transaction holds exactly the records of one flush.
 */
public interface SupportsPositionCommit {

    /**
     * Called once, before the source opens: binds this target to the source whose positions it would store.
     *
     * @return true when this target commits the source's positions from now on; false when it is not configured to
     * @throws KsfException when this target was asked for exactly-once but cannot do it with this source
     */
    boolean bindPositionsOf(Source source);

    /**
     * Only after {@link #bindPositionsOf} answered true: makes everything flushed since the last commit visible
     * together with these positions, all or nothing. When it throws, neither the data nor the positions were stored,
     * and the pipeline stops; a restart resumes at the last committed positions.
     */
    void commit(Positions positions);
}
