package io.ksf.spi;

import io.ksf.support.Fields;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

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

    /**
     * Decodes a record's value, where the format may use more of the record than its value (a CSV row's header
     * row, in {@link Header#CSV_HEADER}); by default {@link #decode(byte[])}.
     *
     * @throws InvalidRecordException when the value is not valid in this format
     */
    default Object decode(KsfRecord record) {
        return decode(record.value());
    }

    /**
     * The JSON types ({@code object, array, string, integer, number, boolean, null}) of the fields at these
     * dotted paths of a value, as {@link io.ksf.support.Fields#jsonType} names them in its decoded data (the empty
     * path is the value itself); fields that are not there are left out. By default the value is decoded; a format
     * may read them off the bytes
     * without building the data (JSON does), accepting and refusing exactly the values {@link #decode} does.
     *
     * @throws InvalidRecordException when the value is not valid in this format
     */
    default Map<String, String> fieldTypes(byte[] value, Collection<String> paths) {
        return Fields.jsonTypes(decode(value), paths);
    }

    /** A writer that encodes records, one after the other, into {@code out}. Closing it does not close out. */
    RecordWriter writer(OutputStream out);

    /**
     * True when this value can be copied byte for byte into this format's batch encoding (a JSON object on one
     * line). The runtime leaves such values undecoded when nothing needs decoded data and the target takes them.
     */
    default boolean copiesAsIs(byte[] value) {
        return false;
    }

    /**
     * One record's value as a message of its own, such as a Kafka record's value: by default its batch encoding
     * without the final line break. Formats whose batch has a header row or another delimiter override this.
     *
     * @throws InvalidRecordException when this record cannot be encoded in this format
     */
    default byte[] encode(KsfRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(32, record.sizeInBytes() + 16));
        try (RecordWriter writer = writer(out)) {
            writer.write(record);
        } catch (IOException | RuntimeException e) {
            throw new InvalidRecordException("cannot encode record " + record.origin() + " as " + name() + ": "
                    + e.getMessage(), e);
        }
        byte[] bytes = out.toByteArray();
        int end = bytes.length;
        if (end > 0 && bytes[end - 1] == '\n') {
            end--;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
        }
        return end == bytes.length ? bytes : Arrays.copyOf(bytes, end);
    }
}
