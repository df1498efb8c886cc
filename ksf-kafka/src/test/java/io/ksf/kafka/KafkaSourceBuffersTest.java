package io.ksf.kafka;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The consumer's fetch buffers are bounded, and the bound is what the pipeline's memory budget counts. */
class KafkaSourceBuffersTest {

    private static KafkaSource source(String... keysAndValues) {
        Properties props = new Properties();
        props.put("bootstrap.servers", "127.0.0.1:9"); // the consumer connects on first poll only
        props.put("group.id", "buffers");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            props.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new KafkaSource(props, List.of("t"), null);
    }

    @Test
    void fetchesDefaultTo8MiBAndTwoOfThemAreTheBound() {
        try (KafkaSource source = source()) {
            assertThat(source.bufferedBytesBound()).isEqualTo(16L << 20);
        }
    }

    @Test
    void theUsersFetchSizesWin() {
        try (KafkaSource source = source("fetch.max.bytes", "1048576", "max.partition.fetch.bytes", "4194304")) {
            assertThat(source.bufferedBytesBound()).isEqualTo(8L << 20);
        }
    }
}
