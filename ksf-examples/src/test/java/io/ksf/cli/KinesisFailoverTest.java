package io.ksf.cli;

import io.ksf.contract.Folders;
import io.ksf.contract.Wait;
import io.ksf.kinesis.KinesisSourceFactory;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedKinesis;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.KinesisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code ksf run} processes on one Kinesis stream with {@code checkpoint kafka}: one reads, the other waits;
 * the reader is killed with SIGKILL, the other takes the stream over after the group's session timeout and goes on
 * from the last checkpoint, and every record ends up in the folder once.
 */
@ExtendWith({KafkaBroker.class, KinesisServer.class})
class KinesisFailoverTest {
    static {
        EmbeddedKinesis.useAsDefaultCredentials();
    }

    @TempDir
    Path dir;

    @Test
    void theWaitingInstanceTakesOverFromTheLastCheckpointWhenTheReaderIsKilled(EmbeddedKafka kafka,
                                                                               EmbeddedKinesis kinesis)
            throws Exception {
        KinesisClient client = KinesisSourceFactory.client(EmbeddedKinesis.REGION, kinesis.endpoint());
        client.createStream(b -> b.streamName("failover").shardCount(2));
        Wait.until(() -> client.describeStreamSummary(b -> b.streamName("failover")).streamDescriptionSummary()
                .streamStatus() == StreamStatus.ACTIVE, Duration.ofSeconds(30), "the stream active");
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "kinesis", "format": "bytes", "stream": "failover", "endpoint": "%s",
                            "region": "us-east-1", "reads.per.second": 5, "max.records": 25,
                            "checkpoint": "kafka",
                            "checkpoint.properties": {"bootstrap.servers": "%s", "session.timeout.ms": "6000",
                                                      "heartbeat.interval.ms": "1000"}},
                 "target": {"type": "file", "format": "bytes", "path": "%s"},
                 "pipeline": {"flush.records": 40, "flush.interval": "300ms", "poll.timeout": "200ms"}}
                """.formatted(kinesis.endpoint(), kafka.bootstrapServers(), dir.resolve("out")));
        Path logA = dir.resolve("a.log");
        Path logB = dir.resolve("b.log");
        put(client, 0, 1000);
        Process a = KsfProcess.run(config, logA);
        Process b = null;
        try {
            Wait.until(() -> Files.exists(logA) && read(logA).contains("kinesis source: stream failover, checkpoints"),
                    Duration.ofSeconds(60), "the first instance owning the stream");
            b = KsfProcess.run(config, logB);
            Wait.until(() -> Folders.lines(dir.resolve("out")).size() >= 300, Duration.ofSeconds(60), "some records stored");
            assertThat(read(logB)).as("the second instance waits").doesNotContain("checkpoints in");
            a.destroyForcibly(); // SIGKILL
            a.waitFor(30, TimeUnit.SECONDS);
            LocalTime killedAt = LocalTime.now();
            put(client, 1000, 1500);
            Wait.until(() -> new HashSet<>(Folders.lines(dir.resolve("out"))).size() == 1500, Duration.ofSeconds(120),
                    "every record stored");
            // a takeover, not a fresh start: after the session timeout, each shard after its checkpoint
            String takeover = read(logB).lines().filter(line -> line.contains("checkpoints in")).findFirst()
                    .orElseThrow(() -> new AssertionError("the second instance never took over: " + read(logB)));
            Duration waited = Duration.between(killedAt, LocalTime.parse(takeover.substring(0, 12)));
            List<String> resumed = read(logB).lines().filter(line -> line.contains(" shard shardId-")
                    && line.contains(" from ")).toList();
            long resumedOffsets = resumed.stream()
                    .mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf("offset ") + 7))).sum();
            System.out.printf("kinesis fail-over: took over %,d ms after the kill (session timeout 6,000 ms), "
                    + "resuming %d shards at offsets summing to %,d%n", waited.toMillis(), resumed.size(),
                    resumedOffsets);
            assertThat(waited).as("the takeover waits for the session timeout").isGreaterThan(Duration.ofSeconds(3));
            assertThat(resumed).as("each shard resumed after its checkpoint").hasSize(2)
                    .allMatch(line -> line.contains(" from AFTER_SEQUENCE_NUMBER "));
            assertThat(resumedOffsets).as("records the killed instance had checkpointed").isPositive();
            b.destroy(); // SIGTERM
            assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            a.destroyForcibly();
            if (b != null) {
                b.destroyForcibly();
            }
        }
        List<String> stored = Folders.lines(dir.resolve("out"));
        long distinct = new HashSet<>(stored).size();
        System.out.printf("kinesis fail-over: instances 2, killed 1, records 1,500, stored %,d, lost %d, "
                + "duplicated %d%n", stored.size(), 1500 - distinct, stored.size() - distinct);
        assertThat(new HashSet<>(stored)).isEqualTo(new HashSet<>(IntStream.range(0, 1500)
                .mapToObj(n -> "record-" + n).toList()));
        assertThat(stored).hasSize(1500);
        client.close();
    }

    private static void put(KinesisClient client, int from, int to) {
        for (int start = from; start < to; start += 250) {
            List<PutRecordsRequestEntry> entries = IntStream.range(start, Math.min(to, start + 250))
                    .mapToObj(n -> PutRecordsRequestEntry.builder().partitionKey("k" + n)
                            .data(SdkBytes.fromUtf8String("record-" + n)).build()).toList();
            assertThat(client.putRecords(b -> b.streamName("failover").records(entries)).failedRecordCount())
                    .isZero();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
