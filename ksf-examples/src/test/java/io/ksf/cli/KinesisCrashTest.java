package io.ksf.cli;

import io.ksf.contract.Wait;
import io.ksf.kinesis.KinesisSourceFactory;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedKinesis;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.KinesisServer;
import io.ksf.testkit.KplAggregator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ksf run} moving a Kinesis stream into a Kafka topic exactly once, killed with SIGKILL again and again while
 * records keep arriving (half of them in KPL aggregates) and a shard is split: every record ends up in the topic once
 * for read_committed readers.
 */
@ExtendWith({KafkaBroker.class, KinesisServer.class})
class KinesisCrashTest {
    private static final int BATCH = 600;
    private static final int KILLS = 3;

    static {
        EmbeddedKinesis.useAsDefaultCredentials();
    }

    @TempDir
    Path dir;

    @Test
    void everyRecordIsInTheTopicOnceAfterKillsAndASplit(EmbeddedKafka kafka, EmbeddedKinesis kinesis)
            throws Exception {
        KinesisClient client = KinesisSourceFactory.client(EmbeddedKinesis.REGION, kinesis.endpoint());
        client.createStream(b -> b.streamName("crash").shardCount(2));
        awaitActive(client);
        kafka.createTopic("kinesis-crash-out", 3);
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "kinesis", "stream": "crash", "endpoint": "%1$s", "region": "us-east-1",
                            "reads.per.second": 5, "max.records": 25, "shard.discovery.interval": "1s",
                            "checkpoint": "kafka", "checkpoint.topic": "kinesis-crash-checkpoints",
                            "checkpoint.properties": {"bootstrap.servers": "%2$s", "session.timeout.ms": "6000"}},
                 "target": {"type": "kafka", "topic": "kinesis-crash-out", "exactly.once": true,
                            "properties": {"bootstrap.servers": "%2$s"}},
                 "pipeline": {"flush.records": 40, "flush.interval": "300ms", "poll.timeout": "200ms"}}
                """.formatted(kinesis.endpoint(), kafka.bootstrapServers()));
        int put = 0;
        put(client, put, put += BATCH);
        Random random = new Random(7);
        Path log = dir.resolve("ksf.log");
        for (int kill = 0; kill < KILLS; kill++) {
            long before = checkpoints(kafka);
            Process ksf = KsfProcess.run(config, log);
            try {
                Wait.until(() -> checkpoints(kafka) > before || !ksf.isAlive(), Duration.ofSeconds(90),
                        "a checkpoint of run " + kill);
                assertThat(ksf.isAlive()).as(Files.readString(log)).isTrue();
                TimeUnit.MILLISECONDS.sleep(random.nextInt(800));
            } finally {
                ksf.destroyForcibly(); // SIGKILL
                ksf.waitFor(30, TimeUnit.SECONDS);
            }
            if (kill == 0) { // a split while it is down: the parent must be finished before its children
                client.splitShard(b -> b.streamName("crash").shardToSplit("shardId-000000000000")
                        .newStartingHashKey("85070591730234615865843651857942052864"));
                awaitActive(client);
            }
            put(client, put, put += BATCH);
        }
        int total = put;
        Process last = KsfProcess.run(config, log);
        try {
            Wait.until(() -> new HashSet<>(values(kafka)).size() == total || !last.isAlive(),
                    Duration.ofSeconds(180), "every record in the topic");
            assertThat(last.isAlive()).as(Files.readString(log)).isTrue();
            last.destroy(); // SIGTERM
            assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            last.destroyForcibly();
        }
        List<String> stored = values(kafka);
        long distinct = new HashSet<>(stored).size();
        System.out.printf("kinesis crash-restart to kafka (exactly once, half in KPL aggregates): kills %d, split 1, "
                + "records %,d, stored %,d, "
                + "lost %d, duplicated %d%n", KILLS, total, stored.size(), total - distinct, stored.size() - distinct);
        assertThat(new HashSet<>(stored)).isEqualTo(new HashSet<>(IntStream.range(0, total)
                .mapToObj(n -> "record-" + n).toList()));
        assertThat(stored).hasSize(total);
        client.close();
    }

    private static void awaitActive(KinesisClient client) {
        Wait.until(() -> client.describeStreamSummary(b -> b.streamName("crash")).streamDescriptionSummary()
                .streamStatus() == StreamStatus.ACTIVE, Duration.ofSeconds(30), "the stream active");
    }

    /**
     * Of each 200 records, 100 plain and 100 as 4 KPL aggregates of 25 (made by npm's aws-kinesis-agg): commits fall
     * inside aggregates, so restarts resume in them.
     */
    private static void put(KinesisClient client, int from, int to) {
        for (int start = from; start < to; start += 200) {
            int middle = Math.min(to, start + 100);
            List<PutRecordsRequestEntry> entries = new ArrayList<>(IntStream.range(start, middle)
                    .mapToObj(n -> PutRecordsRequestEntry.builder().partitionKey("k" + n)
                            .data(SdkBytes.fromUtf8String("record-" + n)).build()).toList());
            List<List<KplAggregator.Entry>> groups = new ArrayList<>();
            for (int group = middle; group < Math.min(to, start + 200); group += 25) {
                groups.add(IntStream.range(group, Math.min(to, group + 25)).mapToObj(n -> new KplAggregator.Entry(
                        "k" + n, null, ("record-" + n).getBytes(StandardCharsets.UTF_8))).toList());
            }
            for (KplAggregator.Entry aggregate : KplAggregator.aggregate(groups)) {
                entries.add(PutRecordsRequestEntry.builder().partitionKey(aggregate.partitionKey())
                        .data(SdkBytes.fromByteArray(aggregate.data())).build());
            }
            assertThat(client.putRecords(b -> b.streamName("crash").records(entries)).failedRecordCount()).isZero();
        }
    }

    private static long checkpoints(EmbeddedKafka kafka) {
        try {
            return kafka.endOffsets("kinesis-crash-checkpoints").values().stream().mapToLong(Long::longValue).sum();
        } catch (RuntimeException e) {
            return 0; // not created yet
        }
    }

    private static List<String> values(EmbeddedKafka kafka) {
        return kafka.readCommitted("kinesis-crash-out").stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}
