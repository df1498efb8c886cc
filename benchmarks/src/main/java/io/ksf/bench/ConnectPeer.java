package io.ksf.bench;

import io.ksf.testkit.EmbeddedKafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A Kafka Connect standalone worker as a peer: a child JVM on the class path of benchmarks/peers/connect, with one
 * sink connector. It is timed from the first record that reaches its sink (its start-up is not counted) until its
 * consumer group has committed the end offsets.
 */
final class ConnectPeer {
    /** What one peer run measured. */
    record Result(long records, double seconds, double cpuSeconds) {
    }

    private ConnectPeer() {
    }

    static Path classPath() {
        Path dir = Path.of("benchmarks/target/peers/connect");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " is missing: run benchmarks/e2e.sh, which copies the peers' jars");
        }
        return dir;
    }

    /**
     * @param connector connector properties (name, connector.class, topics and its own keys)
     * @param started   true once the sink holds its first record
     */
    static Result run(EmbeddedKafka kafka, String topic, long records, Properties connector,
                      java.util.function.BooleanSupplier started) {
        try {
            Path dir = Files.createTempDirectory("ksf-connect-peer-");
            Properties worker = new Properties();
            worker.put("bootstrap.servers", kafka.bootstrapServers());
            worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
            worker.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
            worker.put("offset.storage.file.filename", dir.resolve("offsets").toString());
            worker.put("offset.flush.interval.ms", "1000");
            worker.put("listeners", "http://127.0.0.1:" + freePort());
            // throughput settings from the Connect documentation: bigger polls and fetches
            worker.put("consumer.max.poll.records", "2000");
            worker.put("consumer.fetch.min.bytes", "65536");
            worker.put("consumer.auto.offset.reset", "earliest");
            Path workerFile = dir.resolve("worker.properties");
            Path connectorFile = dir.resolve("connector.properties");
            try (var out = Files.newOutputStream(workerFile)) {
                worker.store(out, "KSF benchmark peer");
            }
            try (var out = Files.newOutputStream(connectorFile)) {
                connector.store(out, "KSF benchmark peer");
            }
            Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                    classPath().toAbsolutePath() + "/*", "org.apache.kafka.connect.cli.ConnectStandalone",
                    workerFile.toString(), connectorFile.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("connect.log").toFile()).start();
            try {
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (!started.getAsBoolean()) {
                    check(process, deadline, dir);
                    LockSupport.parkNanos(2_000_000);
                }
                long start = System.nanoTime();
                String group = "connect-" + connector.getProperty("name");
                while (!kafka.committed(group, topic).equals(kafka.endOffsets(topic))) {
                    check(process, deadline, dir);
                    LockSupport.parkNanos(20_000_000);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpu = process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
                return new Result(records, seconds, cpu);
            } finally {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void check(Process process, long deadline, Path dir) throws IOException {
        if (!process.isAlive() || System.nanoTime() > deadline) {
            throw new IllegalStateException("the Connect peer " + (process.isAlive() ? "timed out" : "exited") + ": "
                    + Files.readString(dir.resolve("connect.log")));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
