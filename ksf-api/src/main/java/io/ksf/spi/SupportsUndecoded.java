package io.ksf.spi;

import java.util.List;

/**
 * A processor that can judge a record without its decoded data (the {@code validate} processor without a JSON
 * Schema, through {@link Format#fieldTypes}): when every processor can, and the target writes records as read, the
 * runtime decodes none of them, and the values are stored byte for byte.
 */
public interface SupportsUndecoded {

    /** Whether {@link #processUndecoded} takes the values of this source format. */
    boolean takesUndecoded(Format sourceFormat);

    /**
     * {@link Processor#process} for a record whose value is not decoded ({@link KsfRecord#decoded()} false).
     *
     * @throws InvalidRecordException when the record is bad, or its value not valid in the format
     */
    List<KsfRecord> processUndecoded(KsfRecord record, Format sourceFormat);
}
