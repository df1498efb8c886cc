package io.ksf.cli;

import io.ksf.contract.Folders;
import io.ksf.contract.Wait;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
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
        List<String> more = IntStream.range(20_003, 20_503).mapToObj(n -> "{\"n\":" + n + "}").toList();
        kafka.produce("run-topic", 3, values);
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "kafka", "format": "json", "topics": ["run-topic"],
                            "properties": {"bootstrap.servers": "%s", "group.id": "run-group"}},
                 "target": {"type": "file", "path": "%s"},
                 "pipeline": {"flush.records": 5000, "flush.interval": "1h"}}
                """.formatted(kafka.bootstrapServers(), dir.resolve("out")));
        Path log = dir.resolve("ksf.log");
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // the Dockerfile's entrypoint: "ksf run", with the config named by configFileLocation
        ProcessBuilder entrypoint = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), KsfCommand.class.getName(), "run", "--http-port",
                Integer.toString(port), "--progress-interval", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        entrypoint.environment().put("configFileLocation", config.toString());
        Process ksf = entrypoint.start();
        try {
            // the thresholds commit 20,000 records; the last 3 are only committed by the graceful stop
            Wait.until(() -> committedSum(kafka) >= 20_000 || !ksf.isAlive(), Duration.ofSeconds(60),
                    "20,000 committed records");
            assertThat(ksf.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(committedSum(kafka)).isEqualTo(20_000);

            // operators: ready after assignment, counters that move, a progress line
            assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
            Wait.until(() -> get(port, "/health/ready").statusCode() == 200, Duration.ofSeconds(30), "ready");
            long before = recordsIn(get(port, "/metrics").body());
            assertThat(before).isEqualTo(20_003);
            kafka.produce("run-topic", 3, more);
            Wait.until(() -> recordsIn(get(port, "/metrics").body()) == 20_003 + more.size(), Duration.ofSeconds(30),
                    "ksf_records_in_total to move");
            Wait.until(() -> get(port, "/metrics").body().contains("ksf_consumer_lag{"), Duration.ofSeconds(10),
                    "the lag gauge");
            assertThat(get(port, "/metrics").body()).contains("ksf_flush_seconds_count", "ksf_records_written_total",
                    "ksf_commit_seconds_count", "ksf_inflight_bytes");
            Wait.until(() -> readQuietly(log).contains("progress: "), Duration.ofSeconds(10), "a progress line");

            ksf.destroy(); // SIGTERM

            assertThat(ksf.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(ksf.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            ksf.destroyForcibly();
        }
        assertThat(kafka.committed("run-group", "run-topic")).isEqualTo(kafka.endOffsets("run-topic"));
        List<String> all = new ArrayList<>(values);
        all.addAll(more);
        assertThat(Folders.lines(dir.resolve("out")).stream().sorted().toList()).isEqualTo(all.stream().sorted().toList());
    }

    @Test
    void aStatefulPipelineReportsKafkaStreamsHealthLagAndCountsThenStopsOnSigterm(EmbeddedKafka kafka)
            throws Exception {
        kafka.createTopic("run.lines", 2);
        kafka.createTopic("run.counts", 2);
        kafka.produce("run.lines", 2, List.of("the cat", "the mat", "a cat"));
        Path config = Files.writeString(dir.resolve("word-count.json"), """
                {"name": "run-word-count",
                 "source": {"type": "kafka", "format": "bytes", "topics": ["run.lines"],
                            "properties": {"bootstrap.servers": "%1$s", "group.id": "run-word-count"}},
                 "processors": [{"type": "split"}, {"type": "count", "cache": false}],
                 "target": {"type": "kafka", "topic": "run.counts", "properties": {"bootstrap.servers": "%1$s"}}}
                """.formatted(kafka.bootstrapServers()));
        Path log = dir.resolve("ksf.log");
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process ksf = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), KsfCommand.class.getName(), "run", "--config",
                config.toString(), "--http-port", Integer.toString(port), "--progress-interval", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Wait.until(() -> !ksf.isAlive() || statusOf(port, "/health/ready") == 200, Duration.ofSeconds(90),
                    "ready");
            assertThat(ksf.isAlive()).as(readQuietly(log)).isTrue();
            assertThat(get(port, "/health/ready").body()).isEqualTo("Kafka Streams RUNNING, 4 active tasks\n");
            assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
            Wait.until(() -> recordsIn(get(port, "/metrics").body()) == 3, Duration.ofSeconds(30), "3 lines read");
            kafka.produce("run.lines", 2, List.of("the end"));
            Wait.until(() -> recordsIn(get(port, "/metrics").body()) == 4, Duration.ofSeconds(30), "4 lines read");
            Wait.until(() -> get(port, "/metrics").body().contains("ksf_streams_lag{pipeline=\"run-word-count\"} 0.0"),
                    Duration.ofSeconds(30), "no lag");
            assertThat(get(port, "/metrics").body()).contains(
                    "ksf_records_written_total{pipeline=\"run-word-count\"} 8.0", "ksf_streams_running{pipeline=\"run-word-count\"} 1.0", "kafka_stream_thread_process_total");
            Wait.until(() -> readQuietly(log).contains("progress: "), Duration.ofSeconds(10), "a progress line");
            Wait.until(() -> kafka.readCommitted("run.counts").stream()
                    .map(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8))
                    .anyMatch("{\"key\":\"the\",\"count\":3}"::equals), Duration.ofSeconds(30), "the at 3");

            ksf.destroy(); // SIGTERM

            assertThat(ksf.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(ksf.exitValue()).as(readQuietly(log)).isZero();
        } finally {
            ksf.destroyForcibly();
        }
    }

    /** The status of a GET, or -1 while nothing answers on the port. */
    private static int statusOf(int port, String path) {
        try {
            return get(port, path).statusCode();
        } catch (java.io.UncheckedIOException e) {
            return -1;
        }
    }

    private static java.net.http.HttpResponse<String> get(int port, String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** ksf_records_in_total of a Prometheus scrape. */
    private static long recordsIn(String scrape) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^ksf_records_in_total\\{[^}]*} ([0-9.E]+)")
                .matcher(scrape);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static long committedSum(EmbeddedKafka kafka) {
        return kafka.committed("run-group", "run-topic").values().stream().mapToLong(Long::longValue).sum();
    }
}
