package io.ksf.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksf.spi.Header;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The bodies of Confluent REST Proxy's produce API: v2 {@code {"records": [{"key", "value", "partition"}]}} in the
 * JSON or binary (base64) embedded format, v3 single records, and the answers: offsets, v3 delivery reports and
 * {@code {"error_code", "message"}} errors.
 */
final class RestProxy {
    static final String V2_JSON = "application/vnd.kafka.json.v2+json";
    static final String V2_BINARY = "application/vnd.kafka.binary.v2+json";
    static final String V2_RESPONSE = "application/vnd.kafka.v2+json";
    static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** How v2 keys and values are embedded in the body. */
    enum Embedded {
        /** Any JSON value, stored as its JSON text. */
        JSON,
        /** A base64 string, stored as its bytes. */
        BINARY
    }

    /** A record of a request, before it gets its position. */
    record Incoming(byte[] key, byte[] value, Integer partition, List<Header> headers, Long timestamp,
                    String keyType, String valueType) {
        int size() {
            return (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        }
    }

    /** A body that does not say what the API expects; the message says where. */
    static final class PayloadException extends Exception {
        PayloadException(String message) {
            super(message);
        }
    }

    private RestProxy() {
    }

    /** The v2 embedded format of a content type, or null when KSF does not take it (schema formats, others). */
    static Embedded v2Format(String contentType) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (type) {
            case V2_JSON, JSON, V2_RESPONSE -> Embedded.JSON;
            case V2_BINARY -> Embedded.BINARY;
            default -> null;
        };
    }

    /** Whether a content type is plain JSON, as v3 takes it. */
    static boolean isJson(String contentType) {
        return contentType != null
                && contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT).equals(JSON);
    }

    /** The records of a v2 body; {@code urlPartition} is the partition of the path, or null. */
    static List<Incoming> parseV2(byte[] body, Embedded embedded, Integer urlPartition) throws PayloadException {
        JsonNode root = read(body);
        JsonNode records = root.get("records");
        if (records == null || !records.isArray() || records.isEmpty()) {
            throw new PayloadException("records: expected a non-empty array of {\"key\", \"value\", "
                    + "\"partition\"}, found " + (records == null ? "nothing"
                    : records.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        if (root.has("key_schema") || root.has("value_schema") || root.has("key_schema_id")
                || root.has("value_schema_id")) {
            throw new PayloadException("schemas are not supported: post JSON or binary records");
        }
        List<Incoming> incoming = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            JsonNode record = records.get(i);
            if (!record.isObject()) {
                throw new PayloadException("records[" + i + "]: expected an object, found " + record);
            }
            Integer partition = urlPartition;
            JsonNode p = record.get("partition");
            if (p != null && !p.isNull()) {
                if (!p.canConvertToInt() || !p.isIntegralNumber() || p.intValue() < 0) {
                    throw new PayloadException("records[" + i + "].partition: expected a partition number, found "
                            + p);
                }
                partition = p.intValue();
            }
            incoming.add(new Incoming(embed(record.get("key"), embedded, "records[" + i + "].key"),
                    embed(record.get("value"), embedded, "records[" + i + "].value"), partition, List.of(), null,
                    null, null));
        }
        return incoming;
    }

    /** The one record of a v3 body. */
    static Incoming parseV3(byte[] body) throws PayloadException {
        JsonNode root = read(body);
        Integer partition = null;
        JsonNode p = root.get("partition_id");
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber() || p.intValue() < 0) {
                throw new PayloadException("partition_id: expected a partition number, found " + p);
            }
            partition = p.intValue();
        }
        List<Header> headers = new ArrayList<>();
        JsonNode h = root.get("headers");
        if (h != null && !h.isNull()) {
            if (!h.isArray()) {
                throw new PayloadException("headers: expected an array of {\"name\", \"value\"}, found " + h);
            }
            for (JsonNode header : h) {
                JsonNode name = header.get("name");
                if (name == null || !name.isTextual()) {
                    throw new PayloadException("headers: each needs a name, found " + header);
                }
                JsonNode value = header.get("value");
                headers.add(new Header(name.asText(), value == null || value.isNull() ? null
                        : base64(value, "headers." + name.asText())));
            }
        }
        Long timestamp = null;
        JsonNode t = root.get("timestamp");
        if (t != null && !t.isNull()) {
            try {
                timestamp = Instant.parse(t.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new PayloadException("timestamp: expected an ISO-8601 instant, found " + t);
            }
        }
        Typed key = typed(root.get("key"), "key");
        Typed value = typed(root.get("value"), "value");
        return new Incoming(key.bytes, value.bytes, partition, List.copyOf(headers), timestamp, key.type,
                value.type);
    }

    private record Typed(byte[] bytes, String type) {
    }

    private static Typed typed(JsonNode node, String where) throws PayloadException {
        if (node == null || node.isNull()) {
            return new Typed(null, null);
        }
        if (!node.isObject()) {
            throw new PayloadException(where + ": expected {\"type\", \"data\"}, found " + node);
        }
        String type = node.has("type") ? node.get("type").asText().toUpperCase(Locale.ROOT) : "JSON";
        JsonNode data = node.get("data");
        return switch (type) {
            case "JSON" -> new Typed(data == null || data.isNull() ? null : json(data), type);
            case "BINARY" -> new Typed(data == null || data.isNull() ? null : base64(data, where + ".data"), type);
            case "STRING" -> {
                if (data != null && !data.isNull() && !data.isTextual()) {
                    throw new PayloadException(where + ".data: expected a string, found " + data);
                }
                yield new Typed(data == null || data.isNull() ? null
                        : data.asText().getBytes(StandardCharsets.UTF_8), type);
            }
            default -> throw new PayloadException(where + ".type: expected BINARY, JSON or STRING (no schema "
                    + "formats), found " + type);
        };
    }

    private static JsonNode read(byte[] body) throws PayloadException {
        try {
            JsonNode root = MAPPER.readTree(body);
            if (root == null || !root.isObject()) {
                throw new PayloadException("expected a JSON object, found " + (root == null ? "nothing"
                        : root.getNodeType().name().toLowerCase(Locale.ROOT)));
            }
            return root;
        } catch (IOException e) {
            String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            throw new PayloadException("the body is not valid JSON: " + message);
        }
    }

    private static byte[] embed(JsonNode node, Embedded embedded, String where) throws PayloadException {
        if (node == null || node.isNull()) {
            return null;
        }
        return embedded == Embedded.JSON ? json(node) : base64(node, where);
    }

    static byte[] json(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a parsed tree always writes
        }
    }

    private static byte[] base64(JsonNode node, String where) throws PayloadException {
        if (!node.isTextual()) {
            throw new PayloadException(where + ": expected a base64 string, found " + node);
        }
        try {
            return Base64.getDecoder().decode(node.asText());
        } catch (IllegalArgumentException e) {
            throw new PayloadException(where + ": expected base64, found \"" + abbreviate(node.asText()) + "\"");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    /** An answer: its HTTP status, content type and body. */
    record Answer(int status, String contentType, byte[] body) {
        /** REST Proxy's error body for this code, as v3 ({@code application/json}) or v2 answers it. */
        static Answer error(ErrorCode code, String message, boolean v3) {
            return new Answer(code.status, v3 ? JSON : V2_RESPONSE, RestProxy.error(code, message));
        }
    }

    /** Each record's partition and offset in an answer, in the request's order. */
    record Positions(int[] partitions, long[] offsets) {
    }

    /**
     * The v2 answer: one {@code {"partition", "offset", "error_code", "error"}} per record, in order; a record
     * whose error is not null has no position.
     */
    static byte[] offsets(Positions positions, String[] errors) {
        int count = positions.offsets().length;
        StringBuilder json = new StringBuilder(64 + 64 * count).append("{\"offsets\":[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                json.append(',');
            }
            String error = errors == null ? null : errors[i];
            if (error == null) {
                json.append("{\"partition\":").append(positions.partitions()[i]).append(",\"offset\":")
                        .append(positions.offsets()[i])
                        .append(",\"error_code\":null,\"error\":null}");
            } else {
                json.append("{\"partition\":null,\"offset\":null,\"error_code\":").append(ErrorCode.PAYLOAD.code)
                        .append(",\"error\":").append(quote(error)).append('}');
            }
        }
        return json.append("],\"key_schema_id\":null,\"value_schema_id\":null}")
                .toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The v3 delivery report of one stored record. */
    static byte[] report(String clusterId, String topic, int partition, long offset, long timestamp,
                         Incoming record) {
        ObjectNode report = MAPPER.createObjectNode();
        report.put("error_code", 200);
        report.put("cluster_id", clusterId);
        report.put("topic_name", topic);
        report.put("partition_id", partition);
        report.put("offset", offset);
        report.put("timestamp", Instant.ofEpochMilli(timestamp).toString());
        putSize(report, "key", record.keyType(), record.key());
        putSize(report, "value", record.valueType(), record.value());
        return json(report);
    }

    private static void putSize(ObjectNode report, String name, String type, byte[] bytes) {
        if (bytes == null) {
            report.putNull(name);
        } else {
            report.putObject(name).put("type", type).put("size", bytes.length);
        }
    }

    /** REST Proxy's error body. */
    static byte[] error(ErrorCode code, String message) {
        return ("{\"error_code\":" + code.code + ",\"message\":" + quote(message) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** An error body that also lists each record's outcome (some records of the request were not stored). */
    static byte[] partialError(String message, Positions positions, String[] errors) {
        String offsets = new String(offsets(positions, errors), StandardCharsets.UTF_8);
        return ("{\"error_code\":" + ErrorCode.PAYLOAD.code + ",\"message\":" + quote(message) + ","
                + offsets.substring(1)).getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** REST Proxy's error codes: the HTTP status and the finer {@code error_code}. */
    enum ErrorCode {
        UNAUTHORIZED(401, 40101),
        NOT_FOUND(404, 404),
        TOPIC_NOT_FOUND(404, 40401),
        PARTITION_NOT_FOUND(404, 40402),
        TOPIC_PARTITION_NOT_FOUND(404, 40403),
        METHOD_NOT_ALLOWED(405, 405),
        TOO_LARGE(413, 413),
        UNSUPPORTED_MEDIA_TYPE(415, 415),
        PAYLOAD(422, 42206),
        TOO_MANY_REQUESTS(429, 42901),
        CLUSTER_ERROR(500, 50002),
        NOT_STORED(503, 50003);

        final int status;
        final int code;

        ErrorCode(int status, int code) {
            this.status = status;
            this.code = code;
        }
    }
}
