package io.ksf.spi;

import java.io.OutputStream;

/**
 * A data format: decodes one record's value into plain Java data, and encodes a batch of records into one
 * stream (one object of the target: JSON Lines, CSV with a header row ...).
 */
public interface Format {

    /** The name this format is configured by, such as {@code json}. */
    String name();

    /** The file extension of an encoded batch, without the dot. */
    String extension();

    /**
     * Decodes a value; see {@link KsfRecord#data()} for the shape of the result.
     *
     * @throws InvalidRecordException when the bytes are not valid in this format
     */
    Object decode(byte[] value);

    /** A writer that encodes records, one after the other, into {@code out}. Closing it does not close out. */
    RecordWriter writer(OutputStream out);

    /**
     * True when a value of this format can be copied byte for byte into this format's batch encoding. Formats
     * that say so get undecoded records from the runtime when nothing needs decoded data.
     */
    default boolean writesRaw(byte[] value) {
        return false;
    }
}
