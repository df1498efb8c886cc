package io.ksf.cli;

import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ksf run} as a real child process, stopped by SIGTERM as ECS stops a task. */
@ExtendWith(KafkaBroker.class)
class RunCommandProcessTest {
    @TempDir
    Path dir;

    @Test
    void sigtermFlushesAndCommitsEverythingThenExitsZero(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("run-topic", 3);
        List<String> values = IntStream.range(0, 20_003).mapToObj(n -> "{\"n\":" + n + "}").toList();
        kafka.produce("run-topic", 3, values);
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "kafka", "format": "json", "topics": ["run-topic"],
                            "properties": {"bootstrap.servers": "%s", "group.id": "run-group"}},
                 "target": {"type": "file", "path": "%s"},
                 "pipeline": {"flush.records": 5000, "flush.interval": "1h"}}
                """.formatted(kafka.bootstrapServers(), dir.resolve("out")));
        Path log = dir.resolve("ksf.log");
        // the Dockerfile's entrypoint: "ksf run", with the config named by configFileLocation
        ProcessBuilder entrypoint = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), KsfCommand.class.getName(), "run")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        entrypoint.environment().put("configFileLocation", config.toString());
        Process ksf = entrypoint.start();
        try {
            // the thresholds commit 20,000 records; the last 3 are only committed by the graceful stop
            Wait.until(() -> committedSum(kafka) >= 20_000 || !ksf.isAlive(), Duration.ofSeconds(60),
                    "20,000 committed records");
            assertThat(ksf.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(committedSum(kafka)).isEqualTo(20_000);

            ksf.destroy(); // SIGTERM

            assertThat(ksf.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(ksf.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            ksf.destroyForcibly();
        }
        assertThat(kafka.committed("run-group", "run-topic")).isEqualTo(kafka.endOffsets("run-topic"));
        assertThat(lines(dir.resolve("out")).stream().sorted().toList())
                .isEqualTo(values.stream().sorted().toList());
    }

    private static long committedSum(EmbeddedKafka kafka) {
        return kafka.committed("run-group", "run-topic").values().stream().mapToLong(Long::longValue).sum();
    }

    private static List<String> lines(Path root) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        return lines;
    }
}
