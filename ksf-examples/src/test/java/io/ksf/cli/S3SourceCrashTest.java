package io.ksf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.contract.Wait;
import io.ksf.s3.S3Clients;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ksf run} reading S3 objects line by line, killed with SIGKILL again and again while objects keep arriving:
 * each restart resumes at the byte after the last durable line, and every line ends up stored exactly once.
 */
@ExtendWith({KafkaBroker.class, S3Server.class})
class S3SourceCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LINES = 20_000;
    private static final int OBJECTS = 6;
    private static final int KILLS = 4;
    private static final String CHECKPOINT = "_ksf/checkpoints/in/s3-source.json";

    static {
        EmbeddedS3.useAsDefaultCredentials();
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "to {0}")
    @ValueSource(strings = {"file", "s3", "kafka"})
    void everyLineIsStoredExactlyOnceAfterRepeatedKills(String target, EmbeddedS3 s3, EmbeddedKafka kafka)
            throws Exception {
        String bucket = "crash-lines-" + target;
        S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true);
        client.createBucket(b -> b.bucket(bucket));
        int uploaded = 0;
        for (; uploaded < OBJECTS; uploaded++) {
            upload(client, bucket, uploaded);
        }
        String output = bucket + "-lines";
        String checkpointTopic = bucket + "-checkpoints";
        String targetJson = switch (target) {
            case "file" -> "{\"type\": \"file\", \"format\": \"bytes\", \"path\": \"" + dir.resolve("out") + "\"}";
            case "s3" -> """
                {"type": "s3", "format": "bytes", "bucket": "%s", "prefix": "curated/", "endpoint": "%s",
                 "path.style": true, "region": "%s"}""".formatted(bucket, s3.endpoint(), EmbeddedS3.REGION);
            default -> """
                {"type": "kafka", "format": "bytes", "topic": "%s", "key": "none", "exactly.once": true,
                 "properties": {"bootstrap.servers": "%s"}}""".formatted(output, kafka.bootstrapServers());
        };
        String checkpointJson = target.equals("kafka") ? """
                , "checkpoint": "kafka", "checkpoint.topic": "%s", "checkpoint.shards": 4,
                  "checkpoint.properties": {"bootstrap.servers": "%s", "session.timeout.ms": "6000"}"""
                .formatted(checkpointTopic, kafka.bootstrapServers()) : "";
        if (target.equals("kafka")) {
            kafka.createTopic(output, 3);
        }
        BooleanSupplier committed = target.equals("kafka")
                ? new Changes<>(() -> endOffsetSum(kafka, checkpointTopic)) : new Changes<>(() -> checkpointTag(client, bucket));
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "s3", "format": "bytes", "bucket": "%s", "prefix": "in/", "key.regex": ".*\\\\.txt",
                            "endpoint": "%s",
                            "path.style": true, "region": "%s", "poll.interval": "200ms", "max.poll.records": 1000%s},
                 "target": %s,
                 "pipeline": {"flush.records": 3000, "flush.interval": "1s", "poll.timeout": "200ms"}}
                """.formatted(bucket, s3.endpoint(), EmbeddedS3.REGION, checkpointJson, targetJson));

        Random random = new Random(target.hashCode());
        Path log = dir.resolve("ksf.log");
        for (int kill = 0; kill < KILLS; kill++) {
            Process ksf = KsfProcess.run(config, log);
            try {
                ((Changes<?>) committed).reset();
                Wait.until(() -> committed.getAsBoolean() || !ksf.isAlive(), Duration.ofSeconds(60),
                        "a commit of run " + kill);
                assertThat(ksf.isAlive()).as(Files.readString(log)).isTrue();
                TimeUnit.MILLISECONDS.sleep(random.nextInt(1_000));
            } finally {
                ksf.destroyForcibly(); // SIGKILL
                ksf.waitFor(30, TimeUnit.SECONDS);
            }
            upload(client, bucket, uploaded++); // objects keep arriving while it is down
        }

        int total = uploaded;
        Process last = KsfProcess.run(config, log);
        try {
            Wait.until(() -> target.equals("kafka") ? new HashSet<>(fromTopic(kafka, output)).size() == total * LINES
                    : finished(client, bucket) == total, Duration.ofSeconds(120), "every object finished by the last run");
            last.destroy(); // SIGTERM: graceful
            assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            last.destroyForcibly();
        }

        List<String> stored = switch (target) {
            case "file" -> fromFolder(dir.resolve("out"));
            case "s3" -> fromBucket(client, bucket);
            default -> fromTopic(kafka, output); // what a read_committed consumer reads
        };
        long distinct = new HashSet<>(stored).size();
        System.out.printf("s3 source crash-restart to %s: kills %d, objects %d, lines %,d, stored %,d, lost %d, "
                + "duplicated %d%n", target, KILLS, total, total * LINES, stored.size(), total * LINES - distinct,
                stored.size() - distinct);
        assertThat(new HashSet<>(stored).equals(new HashSet<>(lines(0, total * LINES)))).as("the lines uploaded")
                .isTrue();
        assertThat(stored).as("lines stored, with duplicates").hasSize(total * LINES);
        client.close();
    }

    private static void upload(S3Client client, String bucket, int n) {
        String text = String.join("\n", lines(n * LINES, (n + 1) * LINES)) + "\n";
        client.putObject(b -> b.bucket(bucket).key("in/part-%03d.txt".formatted(n)),
                RequestBody.fromString(text, StandardCharsets.UTF_8));
    }

    private static List<String> lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(n -> "line " + n + " of the papers").toList();
    }

    private static String checkpointTag(S3Client client, String bucket) {
        try {
            return client.headObject(b -> b.bucket(bucket).key(CHECKPOINT)).eTag();
        } catch (NoSuchKeyException e) {
            return "";
        }
    }

    private static long finished(S3Client client, String bucket) {
        try {
            JsonNode checkpoint = JSON.readTree(client.getObjectAsBytes(b -> b.bucket(bucket).key(CHECKPOINT))
                    .asByteArray());
            List<JsonNode> objects = new ArrayList<>();
            checkpoint.get("objects").elements().forEachRemaining(objects::add);
            return objects.stream().filter(o -> o.get("finished").asBoolean()).count();
        } catch (NoSuchKeyException | IOException e) {
            return 0;
        }
    }

    /** True once the value differs from what it was at the last reset. */
    private static final class Changes<T> implements BooleanSupplier {
        private final Supplier<T> value;
        private T before;

        Changes(Supplier<T> value) {
            this.value = value;
        }

        void reset() {
            before = value.get();
        }

        @Override
        public boolean getAsBoolean() {
            return !value.get().equals(before);
        }
    }

    private static long endOffsetSum(EmbeddedKafka kafka, String topic) {
        try {
            return kafka.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
        } catch (RuntimeException e) {
            return 0; // not created yet
        }
    }

    private static List<String> fromTopic(EmbeddedKafka kafka, String topic) {
        return kafka.readCommitted(topic).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    private static List<String> fromFolder(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(file.getFileName().toString()).as("temporary file left").doesNotStartWith(".");
                lines.addAll(Files.readAllLines(file));
            }
        }
        return lines;
    }

    private static List<String> fromBucket(S3Client client, String bucket) {
        List<String> lines = new ArrayList<>();
        for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("curated/")).contents()) {
            new String(client.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray(),
                    StandardCharsets.UTF_8).lines().forEach(lines::add);
        }
        return lines;
    }
}
