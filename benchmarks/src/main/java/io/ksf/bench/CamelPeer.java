package io.ksf.bench;

import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The Apache Camel peer: a YAML route Kafka -> aggregate (5,000 records or 1 s, lines joined) -> aws2-s3, run by
 * camel-main in a child JVM on the class path of benchmarks/peers/camel. Timed from its first object until its
 * consumer group has committed the end offsets (Camel's Kafka consumer auto-commits every second, before the data
 * is stored: a weaker guarantee than KSF's).
 */
final class CamelPeer {
    private CamelPeer() {
    }

    /**
     * @param started  true once the first object is in the bucket
     * @param finished true once the bucket holds every record (Camel commits before it uploads, so offsets alone
     *                 would flatter it)
     */
    static ConnectPeer.Result run(EmbeddedKafka kafka, EmbeddedS3 s3, String topic, String bucket, long records,
                                  BooleanSupplier started, BooleanSupplier finished) {
        Path lib = Path.of("benchmarks/target/peers/camel");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: run benchmarks/e2e.sh, which copies the peers' jars");
        }
        try {
            Path dir = Files.createTempDirectory("ksf-camel-peer-");
            String group = "camel-peer-" + System.nanoTime();
            Path route = Files.writeString(dir.resolve("route.yaml"), """
                    - beans:
                        - name: lines
                          type: org.apache.camel.processor.aggregate.StringAggregationStrategy
                          properties:
                            delimiter: "\\n"
                    - route:
                        from:
                          uri: "kafka:%s"
                          parameters:
                            brokers: "%s"
                            groupId: "%s"
                            autoOffsetReset: "earliest"
                            maxPollRecords: 2000
                            autoCommitIntervalMs: 1000
                            valueDeserializer: "org.apache.kafka.common.serialization.StringDeserializer"
                          steps:
                            - aggregate:
                                correlationExpression:
                                  constant: "all"
                                aggregationStrategy: "#lines"
                                completionSize: 5000
                                completionTimeout: 1000
                                steps:
                                  - setHeader:
                                      name: CamelAwsS3Key
                                      simple: "camel/${exchangeId}.json"
                                  - to:
                                      uri: "aws2-s3:%s"
                                      parameters:
                                        accessKey: "RAW(%s)"
                                        secretKey: "RAW(%s)"
                                        region: "us-east-1"
                                        overrideEndpoint: true
                                        uriEndpointOverride: "%s"
                                        forcePathStyle: true
                    """.formatted(topic, kafka.bootstrapServers(), group, bucket, EmbeddedS3.ACCESS_KEY,
                    EmbeddedS3.SECRET_KEY, s3.endpoint()));
            Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-Dcamel.main.routesIncludePattern=file:" + route, "-cp", lib.toAbsolutePath() + "/*",
                    "org.apache.camel.main.Main"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("camel.log").toFile()).start();
            try {
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (!started.getAsBoolean()) {
                    check(process, deadline, dir);
                    LockSupport.parkNanos(5_000_000);
                }
                long start = System.nanoTime();
                while (!kafka.committed(group, topic).equals(kafka.endOffsets(topic)) || !finished.getAsBoolean()) {
                    check(process, deadline, dir);
                    LockSupport.parkNanos(20_000_000);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpu = process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
                return new ConnectPeer.Result(records, seconds, cpu);
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
            throw new IllegalStateException("the Camel peer " + (process.isAlive() ? "timed out" : "exited") + ": "
                    + Files.readString(dir.resolve("camel.log")));
        }
    }
}
