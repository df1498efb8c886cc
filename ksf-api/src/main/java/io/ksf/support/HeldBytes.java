package io.ksf.support;

import io.ksf.spi.RecordWriter;

import java.util.stream.Stream;

/**
 * What a target's open writers hold ({@link RecordWriter#heldBytes()}), summed on the target's thread after each
 * write and read from any thread: the answer of {@link io.ksf.spi.SupportsHeldMemory}.
 */
public final class HeldBytes {
    private volatile long sum;

    /** Sums what these writers hold now. */
    public void recount(Stream<RecordWriter> writers) {
        sum = writers.mapToLong(RecordWriter::heldBytes).sum();
    }

    /** Nothing held: the open writers were handed to a flush. */
    public void clear() {
        sum = 0;
    }

    /** The sum as of the last count. */
    public long get() {
        return sum;
    }
}
