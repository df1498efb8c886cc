package io.ksf.spi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** A record header: a key and raw bytes (which may be null). */
public record Header(String key, byte[] value) {
    /**
     * The header row of the CSV object a record (a row) was read from, which a CSV format without configured
     * columns takes the field names from.
     */
    public static final String CSV_HEADER = "ksf.csv.header";
    /**
     * The Kafka partition a record asks to be written to (decimal text), such as a REST Proxy client's
     * {@code partition}; the kafka target writes it there and does not copy the header.
     */
    public static final String KAFKA_PARTITION = "ksf.kafka.partition";

    public Header {
        Objects.requireNonNull(key, "key");
    }

    /** A header with a UTF-8 text value. */
    public static Header of(String key, String value) {
        return new Header(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** The value as UTF-8 text, or null. */
    public String text() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return key + "=" + text();
    }
}
