package io.ksf.kafka;

import io.ksf.contract.InMemoryTarget;
import io.ksf.contract.Wait;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineSettings;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.SourceContext;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A {@link KafkaSource} built in code, as a host application builds it, on a real broker. */
@ExtendWith(KafkaBroker.class)
class KafkaSourceTest {

    @Test
    void aSourceBuiltInCodeNeverCommitsWhatItOnlyPolled(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("code-built", 2);
        kafka.produce("code-built", 2, IntStream.range(0, 50).mapToObj(n -> "{\"n\":" + n + "}").toList());
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", "code-built-group");
        props.put("enable.auto.commit", "true");        // asked for, and refused
        props.put("auto.commit.interval.ms", "50");

        List<KsfRecord> polled = new ArrayList<>();
        try (KafkaSource source = new KafkaSource(props, List.of("code-built"), null)) {
            source.open(SourceContext.NONE);
            Wait.until(() -> {
                polled.addAll(source.poll(Duration.ofMillis(100)));
                return polled.size() == 50;
            }, Duration.ofSeconds(60), "50 polled records");
            long pollsPastTheAutoCommitInterval = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < pollsPastTheAutoCommitInterval) {
                source.poll(Duration.ofMillis(100)); // an auto-committing consumer commits here, and on close
            }
        }

        assertThat(polled).hasSize(50);
        assertThat(kafka.committed("code-built-group", "code-built")).isEmpty();
    }

    @Test
    void aBrokerThatCannotBeReachedFailsThePipelineWithinTheStartupTimeoutNamingTheServer() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Properties props = new Properties();
        props.put("bootstrap.servers", "127.0.0.1:" + port);
        props.put("group.id", "nowhere");
        Pipeline pipeline = Pipeline.builder().source(new KafkaSource(props, List.of("pins"), null), new JsonFormat())
                .target(new InMemoryTarget()).pollTimeout(Duration.ofMillis(200))
                .settings(PipelineSettings.defaults().withStartupTimeout(Duration.ofSeconds(2))).build();

        Throwable failure = RunningPipeline.start(pipeline).failure();

        assertThat(failure).hasMessageContaining("cannot start: source kafka 127.0.0.1:" + port
                + ": nothing listens at 127.0.0.1:" + port + " (connection refused)");
        assertThat(pipeline.health().live()).isFalse();
        assertThat(pipeline.health().reason()).contains("nothing listens at 127.0.0.1:" + port);
    }
}
