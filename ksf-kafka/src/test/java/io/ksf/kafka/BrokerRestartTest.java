package io.ksf.kafka;

import io.ksf.contract.Folders;
import io.ksf.contract.Wait;
import io.ksf.file.FileTarget;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineSettings.Mode;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.RunningPipeline;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The broker stops mid-run and comes back: the pipeline waits, resumes, and stores every record once. */
class BrokerRestartTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void thePipelineWaitsForTheBrokerAndResumes(Mode mode) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("restart", 3);
            kafka.produce("restart", 3, values(0, 20_000));
            Properties props = new Properties();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            props.put("group.id", "restart-group");
            props.put("max.poll.records", "500");
            Pipeline pipeline = Pipeline.builder().source(new KafkaSource(props, List.of("restart"), null),
                            new JsonFormat()).target(new FileTarget(dir, "", new JsonFormat())).mode(mode)
                    .flushEvery(1_000, 1 << 20, Duration.ofSeconds(1)).pollTimeout(Duration.ofMillis(200)).build();
            try (RunningPipeline running = RunningPipeline.start(pipeline)) {
                Wait.until(() -> !kafka.committed("restart-group", "restart").isEmpty(), Duration.ofSeconds(60),
                        "a first commit");
                kafka.stop();
                long down = System.nanoTime();
                Wait.until(() -> System.nanoTime() - down > 5_000_000_000L, Duration.ofSeconds(10), "5 s of outage");
                assertThat(pipeline.health().live()).as("live while the broker is down").isTrue();
                kafka.restart();
                kafka.produce("restart", 3, values(20_000, 30_000));
                running.awaitUntil(() -> kafka.committed("restart-group", "restart")
                        .equals(kafka.endOffsets("restart")), Duration.ofSeconds(120)).stop();
            }
            List<String> stored = Folders.lines(dir);
            System.out.printf("broker-restart: mode %s, outage 5 s, records 30,000, stored %,d, distinct %,d%n",
                    mode, stored.size(), stored.stream().distinct().count());
            assertThat(stored.stream().sorted().toList()).isEqualTo(values(0, 30_000).stream().sorted().toList());
        }
    }

    private static List<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(n -> "{\"n\":" + n + "}").toList();
    }
}
