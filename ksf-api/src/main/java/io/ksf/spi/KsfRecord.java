package io.ksf.spi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One record as it flows through a pipeline: where it came from (topic, partition, offset, timestamp), its key
 * and value as bytes, its headers, and its decoded value.
 *
 * <p>The decoded value ({@link #data()}) is plain Java: a {@code Map<String, Object>} for an object, a
 * {@code List} for an array, or a String, Number, Boolean, or null. It is null until the source format decoded
 * the value; when no processor needs it and the formats agree, the runtime never decodes and the value bytes
 * pass through untouched. Instances are immutable; the {@code with...} methods return copies.
 */
public final class KsfRecord {
    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final byte[] key;
    private final byte[] value;
    private final List<Header> headers;
    private final Object data;
    private final boolean decoded;
    private final String refusal;

    private KsfRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                      List<Header> headers, Object data, boolean decoded, String refusal) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = List.copyOf(headers);
        this.data = data;
        this.decoded = decoded;
        this.refusal = refusal;
    }

    /** A record as a source reads it: bytes only, not decoded yet. */
    public static KsfRecord of(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                               List<Header> headers) {
        return new KsfRecord(topic, partition, offset, timestamp, key, value, headers, null, false, null);
    }

    /** A record with a UTF-8 value and no key, timestamp or headers; handy in tests and examples. */
    public static KsfRecord of(String topic, int partition, long offset, String value) {
        return of(topic, partition, offset, 0L, null, value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                List.of());
    }

    /** The topic (or stream, or object) the record was read from. */
    public String topic() {
        return topic;
    }

    /** The partition within the topic. */
    public int partition() {
        return partition;
    }

    /** Topic and partition together. */
    public SourcePartition topicPartition() {
        return new SourcePartition(topic, partition);
    }

    /** The record's position in its partition; the source resumes after it once it is committed. */
    public long offset() {
        return offset;
    }

    /** Milliseconds since the epoch, as the source reported it. */
    public long timestamp() {
        return timestamp;
    }

    /** The key bytes, or null. Do not modify the array. */
    public byte[] key() {
        return key;
    }

    /** The value bytes as read from the source, or null. Do not modify the array. */
    public byte[] value() {
        return value;
    }

    /** The record's headers, in order; never null. */
    public List<Header> headers() {
        return headers;
    }

    /** The decoded value; see the class comment. Null when not decoded, or when the value is JSON null. */
    public Object data() {
        return data;
    }

    /** True once the value has been decoded or set by a processor; false while only bytes are known. */
    public boolean decoded() {
        return decoded;
    }

    /** Size of key and value in bytes, for flush thresholds and budgets. */
    public int sizeInBytes() {
        return (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    }

    /** A copy carrying a decoded (or transformed) value; the original bytes stay for dead letters. */
    public KsfRecord withData(Object newData) {
        return new KsfRecord(topic, partition, offset, timestamp, key, value, headers, newData, true, refusal);
    }

    /**
     * A copy that the source could not read whole (a line longer than its limit, say): the runtime sends it to the
     * dead letters with this reason and its origin, without decoding or processing it, and its position commits.
     */
    public KsfRecord refused(String reason) {
        return new KsfRecord(topic, partition, offset, timestamp, key, value, headers, data, decoded,
                Objects.requireNonNull(reason, "reason"));
    }

    /** Why the source refused this record, or null for a record read whole. */
    public String refusal() {
        return refusal;
    }

    /** A copy with one more header. */
    public KsfRecord withHeader(Header header) {
        List<Header> copy = new ArrayList<>(headers.size() + 1);
        copy.addAll(headers);
        copy.add(header);
        return new KsfRecord(topic, partition, offset, timestamp, key, value, copy, data, decoded, refusal);
    }

    /** The last header with this key, or null. */
    public Header header(String headerKey) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i).key().equals(headerKey)) {
                return headers.get(i);
            }
        }
        return null;
    }

    /** Where the record came from, as {@code topic/partition@offset}; used in errors and logs. */
    public String origin() {
        return topic + "/" + partition + "@" + offset;
    }

    @Override
    public String toString() {
        return "KsfRecord{" + origin() + ", " + (value == null ? "null" : value.length + " bytes")
                + (decoded ? ", decoded" : "") + "}";
    }
}
