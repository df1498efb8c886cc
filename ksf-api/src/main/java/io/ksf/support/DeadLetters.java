package io.ksf.support;

import io.ksf.spi.Header;
import io.ksf.spi.KsfRecord;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a bad record is sent to the dead-letter target: its original key, value and origin, plus headers that
 * say where it came from and what went wrong, and as data an envelope that file and S3 targets encode.
 */
public final class DeadLetters {
    public static final String ORIGIN_TOPIC = "ksf.origin.topic";
    public static final String ORIGIN_PARTITION = "ksf.origin.partition";
    public static final String ORIGIN_OFFSET = "ksf.origin.offset";
    public static final String ORIGIN_TIMESTAMP = "ksf.origin.timestamp";
    public static final String ERROR_CLASS = "ksf.error.class";
    public static final String ERROR_MESSAGE = "ksf.error.message";

    private DeadLetters() {
    }

    /**
     * The dead letter of a record: same topic, partition and offset (so its position commits like the record's),
     * with origin and error headers, and as data the envelope
     * {@code {"origin":{topic, partition, offset, timestamp}, "error":{class, message}, "key", "value"}}; key and
     * value are text when they are UTF-8, else base64 under {@code keyBase64} / {@code valueBase64}.
     */
    public static KsfRecord of(KsfRecord record, Throwable error) {
        String message = String.valueOf(error.getMessage());
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put("topic", record.topic());
        origin.put("partition", record.partition());
        origin.put("offset", record.offset());
        origin.put("timestamp", record.timestamp());
        Map<String, Object> failure = new LinkedHashMap<>();
        failure.put("class", error.getClass().getName());
        failure.put("message", message);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("origin", origin);
        envelope.put("error", failure);
        putBytes(envelope, "key", record.key());
        putBytes(envelope, "value", record.value());

        return KsfRecord.of(record.topic(), record.partition(), record.offset(), record.timestamp(), record.key(),
                        record.value(), record.headers())
                .withHeader(Header.of(ORIGIN_TOPIC, record.topic()))
                .withHeader(Header.of(ORIGIN_PARTITION, Integer.toString(record.partition())))
                .withHeader(Header.of(ORIGIN_OFFSET, Long.toString(record.offset())))
                .withHeader(Header.of(ORIGIN_TIMESTAMP, Long.toString(record.timestamp())))
                .withHeader(Header.of(ERROR_CLASS, error.getClass().getName()))
                .withHeader(Header.of(ERROR_MESSAGE, message))
                .withData(envelope);
    }

    private static void putBytes(Map<String, Object> envelope, String name, byte[] bytes) {
        if (bytes == null) {
            envelope.put(name, null);
            return;
        }
        try {
            envelope.put(name, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            envelope.put(name + "Base64", Base64.getEncoder().encodeToString(bytes));
        }
    }
}
