package com.example.orders;

import io.ksf.contract.Folders;
import io.ksf.pipeline.Pipeline;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The host's pipelines against the testkit's Kafka broker, as a host service would test them. */
@ExtendWith(KafkaBroker.class)
class OrdersPipelinesTest {
    private static final List<String> ORDERS = List.of("{\"id\":1,\"price\":2.50,\"quantity\":4}",
            "{\"id\":2,\"price\":10,\"quantity\":3}", "{\"id\":3,\"price\":\"free\"}");

    @TempDir
    Path dir;

    @Test
    void aPipelineBuiltInCodeEnrichesOrdersAndDeadLettersTheBadOne(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("orders-code", 1);
        kafka.produce("orders-code", 1, ORDERS);
        Pipeline pipeline = OrdersPipelines.inCode(kafka.bootstrapServers(), "orders-code", dir.resolve("out"),
                dir.resolve("dlq"));

        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> kafka.committed("orders-in-code", "orders-code")
                    .equals(kafka.endOffsets("orders-code")), Duration.ofSeconds(60)).stop();
        }

        assertThat(Folders.lines(dir.resolve("out"))).containsExactly(
                "{\"id\":1,\"price\":2.50,\"quantity\":4,\"total\":10.00}",
                "{\"id\":2,\"price\":10,\"quantity\":3,\"total\":30}");
        assertThat(Folders.lines(dir.resolve("dlq"))).singleElement().asString()
                .contains("an order needs a numeric price and quantity").contains("\"offset\":2");
    }

    @Test
    void theSamePipelineFromAConfigFindsTheProcessorByServiceLoader(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("orders-config", 1);
        kafka.produce("orders-config", 1, ORDERS);
        Path config = Files.writeString(dir.resolve("orders.json"), """
                {"name": "orders-from-config",
                 "source": {"type": "kafka", "format": "json", "topics": ["orders-config"],
                            "properties": {"bootstrap.servers": "%s", "group.id": "orders-from-config"}},
                 "processors": [{"type": "add-total"}],
                 "target": {"type": "file", "format": "json", "path": "%s"},
                 "errors": {"deadletter": {"type": "file", "path": "%s"}},
                 "pipeline": {"flush.interval": "1s"}}
                """.formatted(kafka.bootstrapServers(), dir.resolve("out"), dir.resolve("dlq")));
        Pipeline pipeline = OrdersPipelines.fromConfig(config);

        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> kafka.committed("orders-from-config", "orders-config")
                    .equals(kafka.endOffsets("orders-config")), Duration.ofSeconds(60)).stop();
        }

        assertThat(Folders.lines(dir.resolve("out"))).containsExactly(
                "{\"id\":1,\"price\":2.50,\"quantity\":4,\"total\":10.00}",
                "{\"id\":2,\"price\":10,\"quantity\":3,\"total\":30}");
        assertThat(Folders.lines(dir.resolve("dlq"))).hasSize(1);
    }

    @Test
    void theTestkitsLoggingDefaultsKeepKafkasConfigurationDumpsOutOfTheTestOutput() {
        assertThat(LoggerFactory.getLogger("org.apache.kafka.clients.consumer.ConsumerConfig").isInfoEnabled())
                .as("Kafka's clients log their whole configuration at info").isFalse();
        assertThat(LoggerFactory.getLogger("kafka.server.BrokerServer").isInfoEnabled()).isFalse();
        assertThat(LoggerFactory.getLogger(Pipeline.class).isInfoEnabled()).as("KSF's own lines").isTrue();
    }
}
