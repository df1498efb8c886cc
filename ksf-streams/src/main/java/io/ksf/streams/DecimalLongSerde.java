package io.ksf.streams;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.charset.StandardCharsets;

/** Longs as decimal text, as Faust writes its counts: a console consumer of the changelog shows {@code 360}. */
final class DecimalLongSerde implements Serde<Long> {

    @Override
    public Serializer<Long> serializer() {
        return (topic, value) -> value == null ? null : Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public Deserializer<Long> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new SerializationException("expected a decimal count in " + topic + ", found "
                        + new String(bytes, StandardCharsets.UTF_8), e);
            }
        };
    }
}
