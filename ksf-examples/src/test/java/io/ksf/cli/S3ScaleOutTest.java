package io.ksf.cli;

import io.ksf.contract.Folders;
import io.ksf.contract.Wait;
import io.ksf.s3.S3Clients;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code ksf run} processes share the objects of a prefix through the group on the checkpoint topic; one is
 * killed with SIGKILL mid-stream, and the other takes its shards: every line lies in exactly one object at the end.
 */
@ExtendWith({KafkaBroker.class, S3Server.class})
class S3ScaleOutTest {
    private static final int LINES = 5_000;
    private static final int SHARDS = 8;
    private static final Pattern SHARD = Pattern.compile("s3 source: s3://[^ ]+ shard (\\d+);");

    static {
        EmbeddedS3.useAsDefaultCredentials();
    }

    @TempDir
    Path dir;

    @Test
    void theOtherInstanceTakesTheShardsOfOneKilledAndEveryLineIsStoredOnce(EmbeddedKafka kafka, EmbeddedS3 s3)
            throws Exception {
        S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true);
        client.createBucket(b -> b.bucket("scale-lines"));
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "s3", "format": "bytes", "bucket": "scale-lines", "prefix": "in/", "key.regex": ".*\\\\.txt",
                            "endpoint": "%s", "path.style": true, "region": "%s", "poll.interval": "200ms",
                            "max.poll.records": 500, "checkpoint": "kafka", "checkpoint.topic": "scale-lines-checkpoints",
                            "checkpoint.shards": %d,
                            "checkpoint.properties": {"bootstrap.servers": "%s", "session.timeout.ms": "6000",
                                                      "heartbeat.interval.ms": "1000"}},
                 "target": {"type": "file", "format": "bytes", "path": "%s"},
                 "pipeline": {"flush.records": 2000, "flush.interval": "1s", "poll.timeout": "200ms"}}
                """.formatted(s3.endpoint(), EmbeddedS3.REGION, SHARDS, kafka.bootstrapServers(), dir.resolve("out")));
        Path logA = dir.resolve("a.log");
        Path logB = dir.resolve("b.log");
        Process a = KsfProcess.run(config, logA);
        Process b = KsfProcess.run(config, logB);
        int uploaded = 0;
        try {
            Wait.until(() -> membersWithShards(kafka) == 2, Duration.ofSeconds(60), "both instances owning shards");
            for (; uploaded < 16; uploaded++) {
                upload(client, uploaded);
            }
            Wait.until(() -> Folders.lines(dir.resolve("out")).size() >= 4 * LINES, Duration.ofSeconds(60),
                    "some lines stored");
            assertThat(shardsIn(logA)).as("shards the first instance read").isNotEmpty();
            assertThat(shardsIn(logB)).as("shards the second instance read").isNotEmpty();
            // the log lists every shard an instance was ever given (one may have had all 8 before the other
            // joined), so ownership at the kill is read from the group
            assertThat(membersWithShards(kafka)).as("instances owning shards at the kill").isEqualTo(2);
            a.destroyForcibly(); // SIGKILL: its shards move to the other after the session timeout
            a.waitFor(30, TimeUnit.SECONDS);
            for (; uploaded < 24; uploaded++) {
                upload(client, uploaded);
            }
            int total = uploaded * LINES;
            Wait.until(() -> new HashSet<>(Folders.lines(dir.resolve("out"))).size() == total, Duration.ofSeconds(120),
                    "every line stored");
            assertThat(shardsIn(logB)).as("shards the second instance read, at the end").hasSize(SHARDS);
            b.destroy(); // SIGTERM: graceful
            assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }

        List<String> stored = Folders.lines(dir.resolve("out"));
        int total = uploaded * LINES;
        Set<String> expected = new HashSet<>(IntStream.range(0, total).mapToObj(i -> "line " + i).toList());
        Set<String> distinct = new HashSet<>(stored);
        long lost = expected.stream().filter(line -> !distinct.contains(line)).count();
        System.out.printf("s3 scale-out: instances 2, killed 1, objects %d, lines %,d, stored %,d, lost %d, "
                + "duplicated %d%n", uploaded, total, stored.size(), lost, stored.size() - distinct.size());
        assertThat(distinct).as("the lines uploaded").isEqualTo(expected);
        assertThat(stored).hasSize(total);
        client.close();
    }

    private static void upload(S3Client client, int n) {
        String text = String.join("\n", IntStream.range(n * LINES, (n + 1) * LINES).mapToObj(i -> "line " + i)
                .toList()) + "\n";
        client.putObject(b -> b.bucket("scale-lines").key("in/part-%03d.txt".formatted(n)),
                RequestBody.fromString(text, StandardCharsets.UTF_8));
    }

    private static int membersWithShards(EmbeddedKafka kafka) {
        try {
            return (int) kafka.admin().describeConsumerGroups(List.of("scale-lines-checkpoints")).all().get()
                    .get("scale-lines-checkpoints").members().stream()
                    .filter(member -> !member.assignment().topicPartitions().isEmpty()).count();
        } catch (InterruptedException | ExecutionException e) {
            return 0;
        }
    }

    /** The shards an instance's log says it was assigned. */
    private static Set<Integer> shardsIn(Path log) throws IOException {
        Set<Integer> shards = new HashSet<>();
        Matcher matcher = SHARD.matcher(Files.readString(log));
        while (matcher.find()) {
            shards.add(Integer.parseInt(matcher.group(1)));
        }
        return shards;
    }
}
