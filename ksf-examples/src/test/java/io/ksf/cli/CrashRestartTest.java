package io.ksf.cli;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.ksf.contract.Wait;
import io.ksf.s3.S3Clients;
import io.ksf.testkit.DuckDb;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedMongo;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.MongoWireServer;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ksf run} as a child JVM, killed with SIGKILL while records keep arriving, then run to the end: every
 * record is stored exactly once. The kills land in each phase of the cycle in turn (uploading, between an upload
 * and its commit, polling), at seeded random moments within it, read from the child's phase log. Figures go to stdout as {@code crash-restart: ...} lines,
 * the rows of RELIABILITY.md. The Parquet rows count what DuckDB reads from the objects. {@code -Dksf.soak=true} runs 20 kills on 1,000,000 records instead of 5 on 200,000.
 */
@ExtendWith({KafkaBroker.class, S3Server.class, MongoWireServer.class})
class CrashRestartTest {
    private static final boolean SOAK = Boolean.getBoolean("ksf.soak");
    private static final int RECORDS = SOAK ? 1_000_000 : 200_000;
    private static final int KILLS = SOAK ? 20 : 5;
    private static final int PARTITIONS = 6;

    static {
        EmbeddedS3.useAsDefaultCredentials(); // for the S3 clients of the test itself
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"sync, file", "async, file", "sync, s3", "async, s3", "sync, docdb", "async, docdb", "sync, kafka",
            "sync, kafka-at-least-once", "async, kafka-at-least-once", "sync, file-parquet", "async, file-parquet",
            "sync, s3-parquet", "async, s3-parquet"})
    void everyRecordIsStoredExactlyOnceAfterRepeatedKills(String mode, String target, EmbeddedKafka kafka,
                                                          EmbeddedS3 s3, EmbeddedMongo mongo) throws Exception {
        String topic = "crash-" + mode + "-" + target;
        kafka.createTopic(topic, PARTITIONS);
        kafka.produce(topic, PARTITIONS, values(0, RECORDS));
        String bucket = topic + "-bucket";
        if (target.startsWith("s3")) {
            try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
                client.createBucket(b -> b.bucket(bucket));
            }
        }
        if (target.startsWith("kafka")) {
            kafka.createTopic(topic + "-out", PARTITIONS);
        }
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "kafka", "format": "json", "topics": ["%s"],
                            "properties": {"bootstrap.servers": "%s", "group.id": "%s",
                                           "group.instance.id": "%s-instance", "max.poll.records": "1000"}},
                 "target": %s,
                 "pipeline": {"mode": "%s", "flush.records": 3000, "flush.interval": "1s", "poll.timeout": "200ms"}}
                """.formatted(topic, kafka.bootstrapServers(), topic, topic, target(target, bucket, kafka, s3, mongo, topic),
                mode));

        // more records arrive while the runs are killed, as they would in production: about 10,000 a second
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger produced = new AtomicInteger(RECORDS);
        Thread producer = new Thread(() -> {
            while (producing.get() && produced.get() < 2 * RECORDS) {
                int from = produced.get();
                kafka.produce(topic, PARTITIONS, values(from, from + 1_000));
                produced.addAndGet(1_000);
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
        }, "more-records");
        producer.start();

        Random random = new Random(topic.hashCode());
        Path log = dir.resolve("ksf.log");
        Path logback = phaseLogging(dir);
        Map<String, Integer> killedIn = new TreeMap<>();
        for (int kill = 0; kill < KILLS; kill++) {
            long runStart = Files.exists(log) ? Files.size(log) : 0;
            Process ksf = KsfProcess.start(log, List.of("-Dlogback.configurationFile=" + logback), Map.of(), "run",
                    "--config", config.toString(), "--http-port", "0", "--progress-interval", "0");
            try {
                // once it is at work, in each phase in turn: uploading, between an upload and its commit, polling
                long committedBefore = committedSum(kafka, topic);
                Wait.until(() -> committedSum(kafka, topic) > committedBefore || !ksf.isAlive()
                        || kafka.committed(topic, topic).equals(kafka.endOffsets(topic)),
                        Duration.ofSeconds(60), "a commit of run " + kill);
                assertThat(ksf.isAlive()).as(Files.readString(log)).isTrue();
                TimeUnit.MILLISECONDS.sleep(random.nextInt(500));
                String phase = killIn(ksf, PHASES.get(kill % PHASES.size()), log, runStart, random);
                killedIn.merge(phase, 1, Integer::sum);
            } finally {
                ksf.destroyForcibly(); // SIGKILL
                ksf.waitFor(30, TimeUnit.SECONDS);
            }
        }
        producing.set(false);
        producer.join();

        Process last = KsfProcess.run(config, log);
        try {
            Wait.until(() -> kafka.committed(topic, topic).equals(kafka.endOffsets(topic)), Duration.ofSeconds(120),
                    "everything committed by the last run");
            last.destroy(); // SIGTERM: graceful
            assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            last.destroyForcibly();
        }

        List<String> stored = stored(target, bucket, kafka, s3, mongo, topic);
        int total = produced.get();
        long distinct = new HashSet<>(stored).size();
        System.out.printf("crash-restart: mode %s, target %s, kills %d (%s), records %,d, stored %,d, lost %d, "
                        + "duplicated %d%n", mode, target, KILLS, killedIn.toString().replaceAll("[{}]", ""), total,
                stored.size(), total - distinct, stored.size() - distinct);
        assertThat(killedIn.keySet()).as("the phases the kills hit").containsAll(PHASES);
        assertThat(distinct).as("distinct records stored").isEqualTo(total);
        if (!target.equals("kafka-at-least-once")) { // at least once: a replay produces again what it had sent
            assertThat(stored).as("records stored, with duplicates").hasSize(total);
        }
        // sets compare in linear time; AssertJ's containsAll is quadratic on 300,000 values
        assertThat(new HashSet<>(stored).equals(new HashSet<>(values(0, total)))).as("the values produced").isTrue();
    }

    private String target(String target, String bucket, EmbeddedKafka kafka, EmbeddedS3 s3, EmbeddedMongo mongo,
                          String topic) {
        return switch (target) {
            case "file", "file-parquet" -> "{\"type\": \"file\", \"path\": \"" + dir.resolve("out") + "\", \"format\": \""
                    + (target.endsWith("parquet") ? "parquet" : "json") + "\"}";
            case "s3", "s3-parquet" -> """
                    {"type": "s3", "bucket": "%s", "prefix": "curated/", "endpoint": "%s", "path.style": true,
                     "region": "%s", "format": "%s"}""".formatted(bucket, s3.endpoint(), EmbeddedS3.REGION,
                    target.endsWith("parquet") ? "parquet" : "json");
            case "kafka", "kafka-at-least-once" -> """
                    {"type": "kafka", "topic": "%s-out", "exactly.once": %s,
                     "properties": {"bootstrap.servers": "%s"}}""".formatted(topic, target.equals("kafka"),
                    kafka.bootstrapServers());
            default -> """
                    {"type": "docdb", "connection.string": "%s", "database": "crash", "collection": "%s"}"""
                    .formatted(mongo.connectionString(), topic);
        };
    }

    private List<String> stored(String target, String bucket, EmbeddedKafka kafka, EmbeddedS3 s3,
                                EmbeddedMongo mongo, String topic) throws Exception {
        List<String> lines = new ArrayList<>();
        switch (target) {
            case "file-parquet", "s3-parquet" -> {
                Path objects = dir.resolve("out");
                if (target.startsWith("s3")) {
                    Files.createDirectories(objects);
                    try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
                        for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
                            Files.write(objects.resolve(object.key().replace('/', '_')),
                                    client.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray());
                        }
                    }
                }
                try (Stream<Path> files = Files.walk(objects)) {
                    assertThat(files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()))
                            .as("temporary files left, or objects not in Parquet").allMatch(name ->
                                    !name.startsWith(".") && name.endsWith(".parquet"));
                }
                // read by DuckDB, not by KSF: every object a whole Parquet file, its rows the records
                DuckDb.query("SELECT n FROM read_parquet('" + objects + "/**/*.parquet')")
                        .forEach(n -> lines.add("{\"n\":" + n + "}"));
            }
            case "file" -> {
                try (Stream<Path> files = Files.walk(dir.resolve("out"))) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        assertThat(file.getFileName().toString()).as("temporary file left").doesNotStartWith(".");
                        lines.addAll(Files.readAllLines(file));
                    }
                }
            }
            case "s3" -> {
                try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
                    for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
                        new String(client.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray(),
                                StandardCharsets.UTF_8).lines().forEach(lines::add);
                    }
                }
            }
            case "kafka" -> kafka.readCommitted(topic + "-out")
                    .forEach(record -> lines.add(new String(record.value(), StandardCharsets.UTF_8)));
            case "kafka-at-least-once" -> kafka.read(topic + "-out")
                    .forEach(record -> lines.add(new String(record.value(), StandardCharsets.UTF_8)));
            default -> {
                // each document's value as JSON: a record stored under two _ids would count twice
                try (MongoClient client = MongoClients.create(mongo.connectionString())) {
                    client.getDatabase("crash").getCollection(topic).find().forEach(document -> {
                        assertThat(document.keySet()).as("fields of %s", document.get("_id"))
                                .containsExactlyInAnyOrder("_id", "n");
                        assertThat(document.getString("_id")).startsWith(topic + "-");
                        lines.add("{\"n\":" + document.getInteger("n") + "}");
                    });
                }
            }
        }
        return lines;
    }

    /** The three phases of a pipeline's cycle that a kill must hit, as the child's phase log shows them. */
    private static final List<String> PHASES = List.of("uploading", "between upload and commit", "polling");

    /** A logback config for the child that adds the pipeline's phase lines (at DEBUG) to its usual output. */
    private static Path phaseLogging(Path dir) throws IOException {
        return Files.writeString(dir.resolve("logback-phases.xml"), """
                <configuration>
                  <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.ksf" level="INFO"/>
                  <logger name="io.ksf.pipeline.phases" level="DEBUG"/>
                  <root level="WARN"><appender-ref ref="ERR"/></root>
                </configuration>
                """);
    }

    /**
     * Freezes the child (SIGSTOP) at random moments until its log shows it in the wanted phase, or 30 s have
     * passed, and kills it (SIGKILL) there: the phase it was killed in. A frozen process killed is the same crash
     * as a process killed at that instant, and its log is complete up to it (each line is written as logged).
     */
    private static String killIn(Process ksf, String wanted, Path log, long runStart, Random random)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            signal(ksf, "STOP");
            String phase = phase(log, runStart);
            if (phase.equals(wanted) || System.nanoTime() > deadline || !ksf.isAlive()) {
                ksf.destroyForcibly();
                assertThat(ksf.waitFor(30, TimeUnit.SECONDS)).isTrue();
                return phase;
            }
            signal(ksf, "CONT");
            TimeUnit.MILLISECONDS.sleep(random.nextInt(40));
        }
    }

    private static void signal(Process process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    /** The phase the last phase line of this run's log shows: its lines come in the order of one cycle. */
    private static String phase(Path log, long runStart) {
        String last = "";
        for (String line : KsfProcess.logSince(log, runStart).lines().toList()) {
            if (line.contains("io.ksf.pipeline.phases - ")) {
                last = line.substring(line.indexOf(" - ") + 3);
            }
        }
        return switch (last) {
            case "flush started" -> "uploading";
            case "flush durable", "commit started" -> "between upload and commit";
            default -> "polling"; // after a commit, or before the first flush
        };
    }

    private static long committedSum(EmbeddedKafka kafka, String topic) {
        return kafka.committed(topic, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    private static List<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(n -> "{\"n\":" + n + "}").toList();
    }
}
