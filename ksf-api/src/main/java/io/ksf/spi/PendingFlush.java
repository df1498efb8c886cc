package io.ksf.spi;

/**
 * A flush that {@link Target#startFlush()} started and that may still be storing, while the target already takes
 * the records of the next one.
 */
public interface PendingFlush {

    /** True once waiting would not block: the flush succeeded or failed. */
    boolean isDone();

    /**
     * Waits until everything the flush covers is durable.
     *
     * @return per partition, the position just past the last record stored; only these are committed
     * @throws RetriableException when storing failed in a way that may pass: calling again tries what failed again
     */
    Positions await();
}
