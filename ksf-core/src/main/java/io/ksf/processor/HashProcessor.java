package io.ksf.processor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import io.ksf.support.Fields;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces named fields by the hex digest (MD5 or SHA-256) of their value, to obfuscate them; with no fields,
 * replaces the whole value by {@code {"<output field>": digest of the value bytes}}. Strings are hashed as UTF-8,
 * other values as their JSON text. Absent fields stay absent.
 */
public final class HashProcessor implements Processor {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private final String algorithm;
    private final List<String> fields;
    private final String outputField;

    /**
     * @param algorithm   {@code MD5} or {@code SHA-256}
     * @param fields      dotted paths of the fields to hash; empty: hash the whole value
     * @param outputField the field that holds the digest of the whole value
     */
    public HashProcessor(String algorithm, List<String> fields, String outputField) {
        this.algorithm = algorithm;
        this.fields = List.copyOf(fields);
        this.outputField = outputField;
        digest(); // fails early on an unknown algorithm
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<KsfRecord> process(KsfRecord record) {
        if (fields.isEmpty()) {
            byte[] value = record.value() == null ? new byte[0] : record.value();
            Map<String, Object> hashed = new LinkedHashMap<>();
            hashed.put(outputField, HEX.formatHex(digest().digest(value)));
            return List.of(record.withData(hashed));
        }
        if (!(record.data() instanceof Map<?, ?> map)) {
            throw new InvalidRecordException("cannot hash fields " + fields + ": expected a JSON object, found "
                    + Fields.jsonType(record.data()));
        }
        Map<String, Object> data = (Map<String, Object>) map;
        for (String field : fields) {
            Object value = Fields.get(data, field);
            if (value != Fields.MISSING) {
                data = Fields.with(data, field, HEX.formatHex(digest().digest(bytes(value))));
            }
        }
        return List.of(record.withData(data));
    }

    private MessageDigest digest() {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new io.ksf.spi.ConfigException("algorithm: expected md5 or sha-256, found \"" + algorithm + "\"");
        }
    }

    private static byte[] bytes(Object value) {
        if (value instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("cannot hash a " + value.getClass().getSimpleName(), e);
        }
    }
}
