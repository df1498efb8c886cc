package io.ksf.s3;

import io.ksf.spi.KsfRecord;
import io.ksf.support.Fields;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which "folder" of the bucket a record's object goes to, between the topic and the object name. The same record
 * always gets the same folder, so keys stay deterministic.
 */
public interface ObjectPartitioner {

    /** The folder of this record's object, below the topic. */
    String path(KsfRecord record);

    /**
     * Whether the folder comes from the record's decoded data (a field, a time field), so that one Kafka partition
     * has objects open in several folders and values cannot pass through undecoded. True unless said otherwise.
     */
    default boolean readsData() {
        return true;
    }

    /** {@code partition=<p>}, as Kafka Connect's default partitioner. */
    static ObjectPartitioner byKafkaPartition() {
        return new ObjectPartitioner() {
            /** The paths of the first partitions, made once: a new string per record was hashed again each time. */
            private final String[] paths = new String[1024];

            @Override
            public String path(KsfRecord record) {
                int partition = record.partition();
                if (partition < 0 || partition >= paths.length) {
                    return "partition=" + partition;
                }
                String path = paths[partition]; // a race makes the same string twice, harmlessly
                if (path == null) {
                    path = "partition=" + partition;
                    paths[partition] = path;
                }
                return path;
            }

            @Override
            public boolean readsData() {
                return false;
            }
        };
    }

    /** {@code <field>=<value>} of a field of the decoded value; a missing field gives {@code <field>=null}. */
    static ObjectPartitioner byField(String field) {
        String name = field.substring(field.lastIndexOf('.') + 1);
        return record -> name + "=" + fieldText(record, field);
    }

    /**
     * A Hive-style layout of several parts, such as {@code region={region}/dt={time:yyyy-MM-dd}/hr={time:HH}}:
     * {@code {<field>}} is a field of the decoded value (a dotted path; {@code null} when missing),
     * {@code {time:<pattern>}} the record timestamp, or the timestamp field, formatted in the zone, and
     * {@code {partition}} the record's partition; the rest is copied.
     *
     * @throws IllegalArgumentException for a brace left open, or a time pattern that is not one
     */
    static ObjectPartitioner byTemplate(String template, ZoneId zone, String timestampField) {
        List<Function<KsfRecord, String>> parts = new ArrayList<>();
        boolean readsData = false;
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf('{', at);
            String literal = template.substring(at, open < 0 ? template.length() : open);
            if (!literal.isEmpty()) {
                parts.add(record -> literal);
            }
            if (open < 0) {
                break;
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("a { at character " + open + " is not closed in " + template);
            }
            String name = template.substring(open + 1, close);
            if (name.startsWith("time:")) {
                DateTimeFormatter format = DateTimeFormatter.ofPattern(name.substring(5)).withZone(zone);
                parts.add(record -> format.format(Instant.ofEpochMilli(timestamp(record, timestampField))));
                readsData |= timestampField != null;
            } else if (name.equals("partition")) {
                parts.add(record -> String.valueOf(record.partition()));
            } else {
                parts.add(record -> fieldText(record, name));
                readsData = true;
            }
            at = close + 1;
        }
        boolean data = readsData;
        return new ObjectPartitioner() {
            @Override
            public String path(KsfRecord record) {
                StringBuilder path = new StringBuilder();
                parts.forEach(part -> path.append(part.apply(record)));
                return path.toString();
            }

            @Override
            public boolean readsData() {
                return data;
            }
        };
    }

    /** A field's value as a folder name: {@code null} when missing, a slash made an underscore. */
    private static String fieldText(KsfRecord record, String field) {
        Object value = Fields.get(record.data(), field);
        String text = value == Fields.MISSING || value == null ? "null" : String.valueOf(value);
        return text.replace('/', '_');
    }

    /**
     * A time path such as {@code year=2024/month=05/day=01/hour=13} from the record timestamp, or from a field
     * holding epoch milliseconds or an ISO-8601 instant.
     *
     * @param pattern a {@link DateTimeFormatter} pattern with quoted literals: {@code 'year='YYYY/'month='MM ...};
     *                the Kafka Connect style {@code year=YYYY/month=MM/day=dd/hour=HH} is accepted too
     */
    static ObjectPartitioner byTime(String pattern, ZoneId zone, String timestampField) {
        DateTimeFormatter format = DateTimeFormatter.ofPattern(connectStyle(pattern)).withZone(zone);
        return new ObjectPartitioner() {
            @Override
            public String path(KsfRecord record) {
                return format.format(Instant.ofEpochMilli(timestamp(record, timestampField)));
            }

            @Override
            public boolean readsData() {
                return timestampField != null; // the record's own timestamp needs no decoding
            }
        };
    }

    private static long timestamp(KsfRecord record, String field) {
        if (field == null) {
            return record.timestamp();
        }
        Object value = Fields.get(record.data(), field);
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value instanceof String text) {
            return Instant.parse(text).toEpochMilli();
        }
        throw new io.ksf.spi.InvalidRecordException("timestamp field '" + field + "' is missing or not a time");
    }

    /** Turns {@code year=YYYY/month=MM} into {@code 'year='yyyy'/month='MM}. */
    static String connectStyle(String pattern) {
        if (pattern.contains("'")) {
            return pattern;
        }
        StringBuilder out = new StringBuilder();
        for (String part : pattern.split("/")) {
            int eq = part.indexOf('=');
            if (out.length() > 0) {
                out.append("'/'");
            }
            if (eq >= 0) {
                out.append('\'').append(part, 0, eq + 1).append('\'').append(part.substring(eq + 1).replace("Y", "y"));
            } else {
                out.append(part.replace("Y", "y"));
            }
        }
        return out.toString().replace("''", "");
    }
}
