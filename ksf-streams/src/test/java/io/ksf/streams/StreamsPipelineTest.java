package io.ksf.streams;

import io.ksf.config.ConfigLoader;
import io.ksf.contract.Wait;
import io.ksf.pipeline.PipelineHealth;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.Registry;
import io.ksf.spi.ConfigException;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A stateful pipeline from a config, on the embedded broker: the seed's word count, exactly once. */
@ExtendWith(KafkaBroker.class)
class StreamsPipelineTest {
    private static final String PAPER = "The cat sat on the mat.\n\nThe end, said the cat.\n";
    /** The counts after three uploads of the paper; one word's count can be committed before another's. */
    private static final Map<String, String> THREE_UPLOADS = Map.of("the", "12", "cat", "6", "sat", "3", "on", "3",
            "mat", "3", "end", "3", "said", "3");

    private static PipelinePlan plan(String json) {
        return PipelinePlan.resolve(ConfigLoader.create().parse(json), Registry.load());
    }

    private static Map<String, String> countsIn(EmbeddedKafka kafka, String changelog) {
        try {
            return latest(kafka.readCommitted(changelog));
        } catch (IllegalStateException e) {
            return Map.of(); // the changelog does not exist yet
        }
    }

    private static Map<String, String> latest(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> latest = new HashMap<>();
        records.forEach(r -> latest.put(new String(r.key(), StandardCharsets.UTF_8),
                new String(r.value(), StandardCharsets.UTF_8)));
        return latest;
    }

    @Test
    void threeUploadsOfThePaperCountThreeTimesInTheChangelogAndTheOutput(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("papers.lines", 3);
        kafka.createTopic("word-counts", 3);
        PipelinePlan plan = plan("""
                {"name": "word-count",
                 "source": {"type": "kafka", "format": "bytes", "topics": ["papers.lines"],
                            "properties": {"bootstrap.servers": "%1$s", "group.id": "word-count"}},
                 "processors": [{"type": "split"}, {"type": "count", "table": "word_counts", "cache": false}],
                 "target": {"type": "kafka", "topic": "word-counts", "properties": {"bootstrap.servers": "%1$s"}}}
                """.formatted(kafka.bootstrapServers()));
        assertThat(plan.stateful()).isTrue();
        assertThatThrownBy(plan::build).isInstanceOf(ConfigException.class).hasMessageContaining(
                "processors[1] (count) is stateful: run this pipeline on Kafka Streams");
        List<String> lines = PAPER.lines().filter(line -> !line.isEmpty()).toList();
        for (int upload = 0; upload < 3; upload++) {
            kafka.produce("papers.lines", 3, lines);
        }

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (StreamsPipeline pipeline = StreamsPipeline.of("word-count", plan.parts())) {
            pipeline.bindMetrics(registry);
            assertThat(pipeline.health()).isEqualTo(new PipelineHealth(true, false,
                    "Kafka Streams CREATED: tasks being assigned or their state restored"));
            CompletableFuture<Void> run = CompletableFuture.runAsync(pipeline::run);
            Wait.until(() -> THREE_UPLOADS.equals(countsIn(kafka, "word-count-word_counts-changelog")),
                    Duration.ofSeconds(90), "the counts of three uploads in the changelog");
            assertThat(latest(kafka.readCommitted("word-counts")))
                    .containsEntry("the", "{\"key\":\"the\",\"count\":12}");

            // what an operator sees: ready with all 6 tasks (3 input and 3 repartition partitions), 6 lines read,
            // 33 words counted, nothing behind
            assertThat(pipeline.health()).isEqualTo(new PipelineHealth(true, true,
                    "Kafka Streams RUNNING, 6 active tasks"));
            assertThat(pipeline.stats().recordsIn()).isEqualTo(6);
            assertThat(pipeline.stats().recordsWritten()).isEqualTo(33);
            assertThat(registry.get("ksf.records.in").tag("pipeline", "word-count").functionCounter().count())
                    .isEqualTo(6);
            Wait.until(() -> pipeline.lag() == 0, Duration.ofSeconds(30), "no lag");
            assertThat(registry.get("ksf.streams.lag").gauge().value()).isZero();
            assertThat(registry.get("ksf.streams.running").gauge().value()).isEqualTo(1);
            assertThat(registry.find("kafka.stream.thread.process.total").functionCounters()).isNotEmpty();
            pipeline.close();
            run.join();
            assertThat(pipeline.health().live()).isFalse();
            assertThat(registry.getMeters()).isEmpty();
        }
    }

    @Test
    void twoInstancesOfOnePipelineShareThePartitionsAndTheCountsStayExact(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("shared.lines", 6);
        kafka.createTopic("shared-counts", 6);
        String config = """
                {"name": "shared-count",
                 "source": {"type": "kafka", "format": "bytes", "topics": ["shared.lines"],
                            "properties": {"bootstrap.servers": "%1$s", "group.id": "shared-count"}},
                 "processors": [{"type": "split"}, {"type": "count", "table": "word_counts", "cache": false}],
                 "target": {"type": "kafka", "topic": "shared-counts", "properties": {"bootstrap.servers": "%1$s"}}}
                """.formatted(kafka.bootstrapServers());
        try (StreamsPipeline first = StreamsPipeline.of("shared-count", plan(config).parts());
             StreamsPipeline second = StreamsPipeline.of("shared-count", plan(config).parts())) {
            CompletableFuture<Void> a = CompletableFuture.runAsync(first::run);
            CompletableFuture<Void> b = CompletableFuture.runAsync(second::run);
            Wait.until(() -> first.activeTasks() > 0 && second.activeTasks() > 0
                            && first.activeTasks() + second.activeTasks() == 12, Duration.ofSeconds(90),
                    "both instances running tasks of the two sub-topologies' 6 partitions each");
            List<String> lines = PAPER.lines().filter(line -> !line.isEmpty()).toList();
            for (int upload = 0; upload < 3; upload++) {
                kafka.produce("shared.lines", 6, lines);
            }
            Wait.until(() -> THREE_UPLOADS.equals(countsIn(kafka, "shared-count-word_counts-changelog")),
                    Duration.ofSeconds(90), "the counts of three uploads in the changelog");
            first.close();
            second.close();
            a.join();
            b.join();
        }
    }

    @Test
    void aStatefulPipelineWithAnotherSourceIsAConfigErrorThatSaysToStageThroughATopic(EmbeddedKafka kafka) {
        PipelinePlan plan = plan("""
                {"name": "word-count",
                 "source": {"type": "kafka", "format": "bytes", "topics": ["x"],
                            "properties": {"bootstrap.servers": "other:9092", "group.id": "g"}},
                 "processors": [{"type": "count"}],
                 "target": {"type": "kafka", "topic": "word-counts", "properties": {"bootstrap.servers": "%s"}}}
                """.formatted(kafka.bootstrapServers()));
        assertThatThrownBy(() -> StreamsPipeline.of("word-count", plan.parts())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("a stateful pipeline reads and writes one cluster");
    }

    @Test
    void kafkaStreamsAuthenticatesAsTheSourcesAuthModeSays() {
        PipelinePlan plan = plan("""
                {"name": "word-count",
                 "source": {"type": "kafka", "format": "bytes", "topics": ["x"], "auth": "scram-sha-512",
                            "username": "counter", "password": "s3cret",
                            "properties": {"bootstrap.servers": "b-1.msk:9096", "group.id": "g",
                                           "fetch.max.bytes": "1048576"}},
                 "processors": [{"type": "count"}],
                 "target": {"type": "kafka", "topic": "word-counts", "auth": "scram-sha-512",
                            "username": "counter", "password": "s3cret",
                            "properties": {"bootstrap.servers": "b-1.msk:9096"}}}
                """);
        Properties connection = StreamsPipeline.connection(plan.parts().sourceOptions());

        assertThat(connection).containsEntry("bootstrap.servers", "b-1.msk:9096")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .doesNotContainKey("fetch.max.bytes");
        assertThat((String) connection.get("sasl.jaas.config")).contains("username=\"counter\"");
    }
}
