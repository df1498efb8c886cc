package io.ksf.spi;

import java.io.Closeable;
import java.io.IOException;

/** Encodes records into one stream. Closing finishes the encoding (footers, buffers) but not the stream. */
public interface RecordWriter extends Closeable {

    /**
     * Encodes the decoded value of a record, or its raw bytes when it is not decoded.
     *
     * @throws InvalidRecordException when this record cannot be encoded (a value the format cannot represent);
     *                                nothing of it was written, so the stream stays valid for the next record
     * @throws IOException            when the stream fails
     */
    void write(KsfRecord record) throws IOException;

    /**
     * Bytes of the records written so far that this writer holds and has not put into the stream yet (a Parquet
     * row group, written whole); targets add them to what the stream received when they cut objects by size.
     */
    default long bufferedBytes() {
        return 0;
    }

    /**
     * Heap this writer holds until it is closed beyond what its records weigh: buffers that do not shrink with
     * the records (a Parquet writer's per-column dictionary indexes and pages). Targets report the sum over their
     * open objects ({@link SupportsHeldMemory}), so that many open objects count against the memory budget.
     */
    default long heldBytes() {
        return 0;
    }

    @Override
    void close() throws IOException;
}
