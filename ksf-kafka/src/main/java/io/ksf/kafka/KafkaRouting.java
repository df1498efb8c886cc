package io.ksf.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.Format;
import io.ksf.spi.Header;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.support.DeadLetters;
import io.ksf.support.Fields;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a record becomes a Kafka record: its topic (fixed, a template over the source's topic, or a field of the
 * record), its key (the source's, a field's, or none), its value (encoded with the target's format, or the bytes
 * as read), its headers (carried over, plus the origin headers on request) and its timestamp (the source's).
 */
final class KafkaRouting {
    /** A legal Kafka topic name. */
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the key comes from. */
    enum KeyFrom { SOURCE, NONE, FIELD }

    private final String topicTemplate;
    /** The target topic of each source topic, with a template; used by one thread at a time. */
    private final Map<String, String> templateTopics = new HashMap<>();
    private final String topicField;
    private final KeyFrom keyFrom;
    private final String keyField;
    private final Format format;
    private final boolean originHeaders;

    /**
     * @param topicTemplate a topic name, possibly with {@code ${topic}} (the source's topic); null with topicField
     * @param topicField    the dotted path of the field that names the topic; null with topicTemplate
     * @param format        how values are encoded; null writes every value as it was read
     * @throws IllegalArgumentException when the template names another placeholder than {@code ${topic}}, or
     *                                  neither or both of template and field are given
     */
    KafkaRouting(String topicTemplate, String topicField, KeyFrom keyFrom, String keyField, Format format,
                 boolean originHeaders) {
        if ((topicTemplate == null) == (topicField == null)) {
            throw new IllegalArgumentException("expected exactly one of topic, topic.field");
        }
        String problem = topicTemplate == null ? null : templateProblem(topicTemplate);
        if (problem != null) {
            throw new IllegalArgumentException("topic: " + problem);
        }
        if ((keyFrom == KeyFrom.FIELD) != (keyField != null)) {
            throw new IllegalArgumentException("key field expected exactly when the key comes from a field");
        }
        this.topicTemplate = topicTemplate;
        this.topicField = topicField;
        this.keyFrom = keyFrom;
        this.keyField = keyField;
        this.format = format;
        this.originHeaders = originHeaders;
    }

    /**
     * What is wrong with a topic name or template, or null: only the {@code ${topic}} placeholder, and topic-name
     * characters around it.
     */
    static String templateProblem(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!m.group(1).equals("topic")) {
                return "expected a topic name or a template with ${topic}, found \"" + template + "\"";
            }
        }
        String fixedPart = template.replace("${topic}", "");
        if (template.isBlank() || !fixedPart.isEmpty() && !TOPIC_NAME.matcher(fixedPart).matches()) {
            return "expected a Kafka topic name (a-z A-Z 0-9 . _ -), found \"" + template + "\"";
        }
        return null;
    }

    /** The one topic every record goes to, or null when it depends on the record. */
    String fixedTopic() {
        return topicTemplate != null && !topicTemplate.contains("${") ? topicTemplate : null;
    }

    /** True when topic or key are read from the decoded value. */
    boolean needsData() {
        return topicField != null || keyFrom == KeyFrom.FIELD;
    }

    /** True when values are written as they were read, whatever was decoded. */
    boolean writesAsRead() {
        return format == null;
    }

    Format format() {
        return format;
    }

    /** @throws InvalidRecordException when this record cannot be routed, keyed or encoded */
    ProducerRecord<byte[], byte[]> toKafka(KsfRecord record) {
        String topic = topic(record);
        byte[] value = format == null || !record.decoded() ? record.value() : format.encode(record);
        Header partition = record.header(Header.KAFKA_PARTITION);
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, partition == null ? null
                : Integer.valueOf(new String(partition.value(), StandardCharsets.UTF_8)),
                record.timestamp() > 0 ? record.timestamp() : null, key(record), value);
        for (Header h : record.headers()) {
            if ((!originHeaders || !h.key().startsWith("ksf.origin.")) && h != partition) {
                out.headers().add(new RecordHeader(h.key(), h.value()));
            }
        }
        if (originHeaders) {
            out.headers().add(header(DeadLetters.ORIGIN_TOPIC, record.topic()));
            out.headers().add(header(DeadLetters.ORIGIN_PARTITION, Integer.toString(record.partition())));
            out.headers().add(header(DeadLetters.ORIGIN_OFFSET, Long.toString(record.offset())));
            out.headers().add(header(DeadLetters.ORIGIN_TIMESTAMP, Long.toString(record.timestamp())));
        }
        return out;
    }

    private String topic(KsfRecord record) {
        if (topicField == null) {
            // a source reads a few topics: each one's target topic is made and checked once, not per record
            String topic = templateTopics.get(record.topic());
            if (topic == null) {
                topic = checked(topicTemplate.replace("${topic}", record.topic()));
                templateTopics.put(record.topic(), topic);
            }
            return topic;
        }
        Object named = Fields.get(record.data(), topicField);
        if (!(named instanceof String text) || text.isBlank()) {
            throw new InvalidRecordException("topic field '" + topicField + "' is "
                    + (named == Fields.MISSING ? "missing" : "not a topic name but " + Fields.jsonType(named)));
        }
        return checked(text);
    }

    private static String checked(String topic) {
        if (!TOPIC_NAME.matcher(topic).matches()) {
            throw new InvalidRecordException("\"" + abbreviated(topic) + "\" is not a Kafka topic name (1 to 249 of "
                    + "a-z A-Z 0-9 . _ -)");
        }
        return topic;
    }

    private byte[] key(KsfRecord record) {
        return switch (keyFrom) {
            case SOURCE -> record.key();
            case NONE -> null;
            case FIELD -> fieldKey(record);
        };
    }

    private byte[] fieldKey(KsfRecord record) {
        Object value = Fields.get(record.data(), keyField);
        if (value == Fields.MISSING) {
            throw new InvalidRecordException("key field '" + keyField + "' is missing");
        }
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (value instanceof Map || value instanceof List) {
            try {
                return JSON.writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new InvalidRecordException("key field '" + keyField + "' cannot be written as JSON", e);
            }
        }
        return String.valueOf(value instanceof BigDecimal d ? d.toPlainString() : value)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static RecordHeader header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviated(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
