package io.ksf.testkit;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(KafkaBroker.class)
class EmbeddedKafkaTest {

    @Test
    void producesAndReadsBackOnARealBroker(EmbeddedKafka kafka) {
        kafka.createTopic("embedded-check", 2);

        kafka.produce("embedded-check", 2, List.of("a", "b", "c"));

        assertThat(kafka.endOffsets("embedded-check")).isEqualTo(Map.of(
                new TopicPartition("embedded-check", 0), 2L, new TopicPartition("embedded-check", 1), 1L));
        assertThat(kafka.read("embedded-check")).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("a", "b", "c");
        assertThat(kafka.committed("nobody", "embedded-check")).isEmpty();
    }
}
