package io.ksf.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.KsfException;
import io.ksf.spi.SupportsTopicMetadata;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata answers without a Kafka target, and when the cluster does not answer. */
class TopicMetadataTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpSourceSettings SETTINGS = new HttpSourceSettings("127.0.0.1", 0, Set.of("pins", "geo"),
            Pattern.compile("user\\..+"), 4, 1 << 20, 1 << 20, Duration.ofSeconds(30), Duration.ofSeconds(30),
            Duration.ZERO, 100, 8, "lake-1", null, null);

    private static JsonNode body(RestProxy.Answer answer) throws Exception {
        return JSON.readTree(new String(answer.body(), StandardCharsets.UTF_8));
    }

    @Test
    void withoutAKafkaTargetTheAllowedTopicsHaveThisSourcesPartitionUnderTheConfiguredClusterId() throws Exception {
        TopicMetadata metadata = new TopicMetadata(SETTINGS, null);
        assertThat(body(metadata.answer("/topics", "http://h:1")).toString()).isEqualTo("[\"geo\",\"pins\"]");
        assertThat(body(metadata.answer("/topics/user.eu", "http://h:1")).toString()).isEqualTo(
                "{\"name\":\"user.eu\",\"configs\":{},\"partitions\":[{\"partition\":4,\"leader\":-1,\"replicas\":[]}]}");
        assertThat(metadata.answer("/topics/boards", "http://h:1").status()).isEqualTo(404);
        JsonNode clusters = body(metadata.answer("/v3/clusters", "http://h:1"));
        assertThat(clusters.at("/data/0/cluster_id").asText()).isEqualTo("lake-1");
        JsonNode topics = body(metadata.answer("/v3/clusters/lake-1/topics", "http://h:1"));
        assertThat(topics.get("data")).hasSize(2);
        assertThat(topics.at("/data/0/metadata/self").asText()).isEqualTo("http://h:1/v3/clusters/lake-1/topics/geo");
        assertThat(topics.at("/data/0/replication_factor").asInt()).isZero();
    }

    @Test
    void aClusterThatDoesNotAnswerIsA500ThatNamesIt() throws Exception {
        SupportsTopicMetadata silent = new SupportsTopicMetadata() {
            @Override
            public String clusterId(Duration timeout) {
                throw new KsfException("the Kafka cluster at 10.0.0.9:9092 did not answer within 10000 ms");
            }

            @Override
            public Set<String> topicNames(Duration timeout) {
                return clusterId(timeout) == null ? Set.of() : Set.of();
            }

            @Override
            public Topic describe(String topic, Duration timeout) {
                return new Topic(clusterId(timeout), false, List.of(), java.util.Map.of());
            }
        };
        TopicMetadata metadata = new TopicMetadata(SETTINGS, silent);
        for (String path : List.of("/topics", "/topics/pins", "/v3/clusters")) {
            RestProxy.Answer answer = metadata.answer(path, "http://h:1");
            assertThat(answer.status()).isEqualTo(500);
            assertThat(body(answer).get("error_code").asInt()).isEqualTo(50002);
            assertThat(body(answer).get("message").asText()).contains("10.0.0.9:9092");
        }
    }
}
