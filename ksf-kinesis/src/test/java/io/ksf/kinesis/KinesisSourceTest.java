package io.ksf.kinesis;

import io.ksf.contract.InMemoryTarget;
import io.ksf.contract.Wait;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SourcePartition;
import io.ksf.testkit.EmbeddedKinesis;
import io.ksf.testkit.KinesisServer;
import io.ksf.testkit.KplAggregator;
import io.ksf.testkit.RunningPipeline;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The kinesis source on a real Kinesis API server (kinesis-local): shards, restarts, splits, start positions. */
@ExtendWith(KinesisServer.class)
class KinesisSourceTest {
    static {
        EmbeddedKinesis.useAsDefaultCredentials();
    }

    @TempDir
    Path dir;

    static KinesisClient client(EmbeddedKinesis kinesis) {
        return KinesisSourceFactory.client(EmbeddedKinesis.REGION, kinesis.endpoint());
    }

    static void createStream(KinesisClient client, String stream, int shards) {
        client.createStream(b -> b.streamName(stream).shardCount(shards));
        awaitActive(client, stream);
    }

    static void awaitActive(KinesisClient client, String stream) {
        Wait.until(() -> client.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary()
                .streamStatus() == StreamStatus.ACTIVE, Duration.ofSeconds(30), stream + " active");
    }

    static void put(KinesisClient client, String stream, List<String> values) {
        for (int from = 0; from < values.size(); from += 100) {
            List<PutRecordsRequestEntry> entries = values.subList(from, Math.min(values.size(), from + 100)).stream()
                    .map(v -> PutRecordsRequestEntry.builder().partitionKey("key-" + v)
                            .data(SdkBytes.fromUtf8String(v)).build()).toList();
            assertThat(client.putRecords(b -> b.streamName(stream).records(entries)).failedRecordCount()).isZero();
        }
    }

    static List<String> values(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(n -> prefix + n).toList();
    }

    private static KinesisSource.Settings settings(String stream, KinesisSource.InitialPosition position,
                                                   Instant timestamp) {
        return new KinesisSource.Settings(stream, position, timestamp, 10_000, 5, Duration.ofMillis(500), 10_000);
    }

    private Pipeline pipeline(EmbeddedKinesis kinesis, KinesisSource.Settings settings, InMemoryTarget target) {
        return Pipeline.builder().name(settings.stream())
                .source(KinesisSource.withFileCheckpoints(client(kinesis), settings,
                        dir.resolve(settings.stream() + ".json")), new BytesFormat("\n"))
                .target(target).flushEvery(50, 1 << 20, Duration.ofMillis(200)).pollTimeout(Duration.ofMillis(200))
                .build();
    }

    private static Instant lastArrival(KinesisClient client, String stream) {
        String shard = client.listShards(b -> b.streamName(stream)).shards().get(0).shardId();
        String iterator = client.getShardIterator(b -> b.streamName(stream).shardId(shard)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        return client.getRecords(b -> b.shardIterator(iterator)).records().stream()
                .map(Record::approximateArrivalTimestamp).max(Instant::compareTo).orElseThrow();
    }

    private static List<String> stored(InMemoryTarget target) {
        return target.stored().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void everyRecordOfEveryShardOnceAndARestartResumesAfterTheLastCheckpoint(EmbeddedKinesis kinesis)
            throws Exception {
        KinesisClient client = client(kinesis);
        createStream(client, "orders", 2);
        put(client, "orders", values("order-", 0, 200));
        KinesisSource.Settings settings = settings("orders", KinesisSource.InitialPosition.TRIM_HORIZON, null);

        InMemoryTarget first = new InMemoryTarget();
        try (RunningPipeline running = RunningPipeline.start(pipeline(kinesis, settings, first))) {
            running.awaitUntil(() -> first.stored().size() >= 200, Duration.ofSeconds(60));
        }
        assertThat(stored(first)).containsExactlyInAnyOrderElementsOf(values("order-", 0, 200));
        List<KsfRecord> records = first.stored();
        assertThat(records).extracting(KsfRecord::topic).containsOnly("orders");
        assertThat(records).extracting(KsfRecord::partition).containsOnly(0, 1);
        assertThat(records.get(0).header(KinesisSource.SEQUENCE_HEADER)).isNotNull();
        String checkpoint = Files.readString(dir.resolve("orders.json"));
        assertThat(checkpoint).contains("shardId-000000000000", "shardId-000000000001", "\"sequence\":\"");

        put(client, "orders", values("order-", 200, 250));
        InMemoryTarget second = new InMemoryTarget();
        try (RunningPipeline running = RunningPipeline.start(pipeline(kinesis, settings, second))) {
            // a shard is read in order from its checkpoint, so a record read again would come before the new ones
            running.awaitUntil(() -> stored(second).containsAll(values("order-", 200, 250)), Duration.ofSeconds(60));
        }
        assertThat(stored(second)).containsExactlyInAnyOrderElementsOf(values("order-", 200, 250));
        // offsets go on where the first run's stopped: the same record always has the same offset
        long firstRunNext = records.stream().filter(r -> r.partition() == second.stored().get(0).partition())
                .mapToLong(KsfRecord::offset).max().orElse(-1) + 1;
        assertThat(second.stored().stream().filter(r -> r.partition() == second.stored().get(0).partition())
                .mapToLong(KsfRecord::offset).min().orElseThrow()).isEqualTo(firstRunNext);
        client.close();
    }

    @Test
    void aShardSplitMidStreamIsReadParentFirstThenItsChildren(EmbeddedKinesis kinesis) {
        KinesisClient client = client(kinesis);
        createStream(client, "clicks", 1);
        put(client, "clicks", values("before-", 0, 60));
        KinesisSource.Settings settings = settings("clicks", KinesisSource.InitialPosition.TRIM_HORIZON, null);
        InMemoryTarget target = new InMemoryTarget();
        try (RunningPipeline running = RunningPipeline.start(pipeline(kinesis, settings, target))) {
            running.awaitUntil(() -> target.stored().size() >= 60, Duration.ofSeconds(60));
            client.splitShard(b -> b.streamName("clicks").shardToSplit("shardId-000000000000")
                    .newStartingHashKey("170141183460469231731687303715884105728"));
            awaitActive(client, "clicks");
            put(client, "clicks", values("after-", 0, 60));
            running.awaitUntil(() -> target.stored().size() >= 120, Duration.ofSeconds(60));
        }
        List<KsfRecord> stored = target.stored();
        assertThat(stored(target)).hasSize(120).doesNotHaveDuplicates();
        int lastOfParent = 0;
        int firstOfChildren = Integer.MAX_VALUE;
        for (int i = 0; i < stored.size(); i++) {
            if (stored.get(i).partition() == 0) {
                lastOfParent = i;
            } else {
                firstOfChildren = Math.min(firstOfChildren, i);
            }
        }
        assertThat(lastOfParent).as("the parent's last record comes before the children's first")
                .isLessThan(firstOfChildren);
        assertThat(stored.stream().filter(r -> r.partition() != 0).map(KsfRecord::partition).distinct().toList())
                .containsExactlyInAnyOrder(1, 2);
        client.close();
    }

    @Test
    void latestSkipsWhatIsThereAndAtTimestampStartsAtTheInstant(EmbeddedKinesis kinesis) throws Exception {
        KinesisClient client = client(kinesis);
        createStream(client, "views", 1);
        put(client, "views", values("old-", 0, 20));
        // just after the last old record's arrival, as the server stamped it; the next ones arrive later
        Instant between = lastArrival(client, "views").plusMillis(1);
        Wait.until(() -> Instant.now().isAfter(between.plusMillis(1)), Duration.ofSeconds(10), "the clock past it");
        put(client, "views", values("mid-", 0, 20));

        InMemoryTarget latest = new InMemoryTarget();
        try (RunningPipeline running = RunningPipeline.start(pipeline(kinesis,
                settings("views", KinesisSource.InitialPosition.LATEST, null), latest))) {
            // the shard is assigned once its iterator was taken at LATEST
            Wait.until(() -> running.pipeline().health().ready(), Duration.ofSeconds(30), "the shard assigned");
            put(client, "views", values("new-", 0, 20));
            running.awaitUntil(() -> latest.stored().size() >= 20, Duration.ofSeconds(60));
        }
        assertThat(stored(latest)).containsExactlyInAnyOrderElementsOf(values("new-", 0, 20));

        Files.deleteIfExists(dir.resolve("views.json"));
        InMemoryTarget atTimestamp = new InMemoryTarget();
        try (RunningPipeline running = RunningPipeline.start(pipeline(kinesis,
                settings("views", KinesisSource.InitialPosition.AT_TIMESTAMP, between), atTimestamp))) {
            running.awaitUntil(() -> atTimestamp.stored().size() >= 40, Duration.ofSeconds(60));
        }
        assertThat(stored(atTimestamp)).containsExactlyInAnyOrderElementsOf(
                Stream.concat(values("mid-", 0, 20).stream(), values("new-", 0, 20).stream())
                        .toList());
        client.close();
    }

    /**
     * KPL aggregates made by npm's aws-kinesis-agg, mixed with plain records and a corrupt aggregate: each user record
     * once, with its own offset, partition key and sub-sequence; a restart after a commit inside an aggregate hands
     * out the rest of it and nothing before.
     */
    @Test
    void kplAggregatesAreSplitAndARestartInsideOneSkipsTheDurableUserRecords(EmbeddedKinesis kinesis)
            throws Exception {
        Assumptions.assumeTrue(KplAggregator.unavailableReason() == null, KplAggregator.unavailableReason());
        List<List<KplAggregator.Entry>> groups = new ArrayList<>();
        for (int g = 0; g < 4; g++) {
            List<KplAggregator.Entry> group = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                int n = g * 30 + i;
                group.add(new KplAggregator.Entry("pk-" + n % 7, n % 10 == 3 ? "1234567890" + n : null,
                        ("user-" + n).getBytes(StandardCharsets.UTF_8)));
            }
            groups.add(group);
        }
        List<KplAggregator.Entry> aggregates = KplAggregator.aggregate(groups);
        assertThat(aggregates).hasSize(4);
        byte[] corrupt = aggregates.get(2).data().clone();
        corrupt[corrupt.length - 1] ^= 1; // its MD5
        KinesisClient client = client(kinesis);
        createStream(client, "kpl", 1);
        List<String> expected = new ArrayList<>();
        for (int g = 0; g < 4; g++) {
            put(client, "kpl", values("plain-" + g + "-", 0, 3));
            expected.addAll(values("plain-" + g + "-", 0, 3));
            if (g == 2) {
                putData(client, "kpl", "corrupt", corrupt);
                expected.add("corrupt");
            }
            putData(client, "kpl", aggregates.get(g).partitionKey(), aggregates.get(g).data());
            groups.get(g).forEach(user -> expected.add(new String(user.data(), StandardCharsets.UTF_8)));
        }
        KinesisSource.Settings settings = settings("kpl", KinesisSource.InitialPosition.TRIM_HORIZON, null);
        Path checkpoints = dir.resolve("kpl.json");

        List<KsfRecord> first;
        long next;
        try (KinesisSource source = KinesisSource.withFileCheckpoints(client(kinesis), settings, checkpoints)) {
            source.open(SourceContext.NONE);
            first = readUntil(source, expected.size());
            assertThat(first).extracting(KinesisSourceTest::text).containsExactlyElementsOf(expected);
            assertThat(first).extracting(KsfRecord::offset).containsExactlyElementsOf(
                    LongStream.range(0, expected.size()).boxed().toList());
            KsfRecord user33 = first.stream().filter(r -> text(r).equals("user-33")).findFirst().orElseThrow();
            assertThat(new String(user33.key(), StandardCharsets.UTF_8)).isEqualTo("pk-5");
            assertThat(user33.header(KinesisSource.SUB_SEQUENCE_HEADER).value())
                    .isEqualTo("3".getBytes(StandardCharsets.UTF_8));
            assertThat(user33.header(KinesisSource.EXPLICIT_HASH_KEY_HEADER).value())
                    .isEqualTo("123456789033".getBytes(StandardCharsets.UTF_8));
            KsfRecord refused = first.stream().filter(r -> r.refusal() != null).findFirst().orElseThrow();
            assertThat(refused.refusal()).contains("MD5 does not match");
            assertThat(refused.value()).isEqualTo(corrupt);

            // durable up to user-42, the 13th user record of the second aggregate: a restart goes on at user-43
            next = user33.offset() + 10;
            assertThat(text(first.get((int) next - 1))).isEqualTo("user-42");
            source.commit(Positions.of(Map.of(new SourcePartition("kpl", 0), next)));
        }
        assertThat(Files.readString(checkpoints)).contains("\"subSequence\":12");
        try (KinesisSource source = KinesisSource.withFileCheckpoints(client(kinesis), settings, checkpoints)) {
            source.open(SourceContext.NONE);
            List<KsfRecord> second = readUntil(source, expected.size() - (int) next);
            assertThat(second).extracting(KinesisSourceTest::text)
                    .containsExactlyElementsOf(expected.subList((int) next, expected.size()));
            assertThat(second.get(0).offset()).isEqualTo(next);
        }
        client.close();
    }

    private static String text(KsfRecord record) {
        return record.refusal() != null ? "corrupt" : new String(record.value(), StandardCharsets.UTF_8);
    }

    private static void putData(KinesisClient client, String stream, String partitionKey, byte[] data) {
        client.putRecord(b -> b.streamName(stream).partitionKey(partitionKey).data(SdkBytes.fromByteArray(data)));
    }

    /** Polls until {@code count} records came, then a moment more to see that no others come. */
    private static List<KsfRecord> readUntil(KinesisSource source, int count) {
        List<KsfRecord> records = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (records.size() < count && System.nanoTime() < deadline) {
            records.addAll(source.poll(Duration.ofMillis(200)));
        }
        records.addAll(source.poll(Duration.ofSeconds(1)));
        return records;
    }

    /**
     * One source on two streams: each shard a partition named by its stream, every record once, a restart resumes;
     * a source that grows from one stream to two goes on where the one stream's checkpoint was.
     */
    @Test
    void oneSourceReadsSeveralStreamsEachShardAPartitionOfItsStream(EmbeddedKinesis kinesis) throws Exception {
        KinesisClient client = client(kinesis);
        createStream(client, "taps", 2);
        createStream(client, "carts", 1);
        put(client, "carts", values("cart-", 0, 40));
        Path checkpoints = dir.resolve("both.json");
        InMemoryTarget alone = new InMemoryTarget();
        try (RunningPipeline running = RunningPipeline.start(pipeline(kinesis, List.of("carts"), checkpoints, alone))) {
            running.awaitUntil(() -> alone.stored().size() >= 40, Duration.ofSeconds(60));
        }
        assertThat(stored(alone)).containsExactlyInAnyOrderElementsOf(values("cart-", 0, 40));

        put(client, "taps", values("tap-", 0, 60));
        put(client, "carts", values("cart-", 40, 50));
        InMemoryTarget first = new InMemoryTarget();
        try (RunningPipeline running = RunningPipeline.start(pipeline(kinesis, List.of("carts", "taps"), checkpoints,
                first))) {
            running.awaitUntil(() -> first.stored().size() >= 70, Duration.ofSeconds(60));
        }
        assertThat(stored(first)).containsExactlyInAnyOrderElementsOf(Stream.concat(values("tap-", 0, 60).stream(),
                values("cart-", 40, 50).stream()).toList());
        assertThat(first.stored()).allMatch(r -> text(r).startsWith(r.topic().equals("taps") ? "tap-" : "cart-"));
        assertThat(first.stored().stream().map(r -> r.topic() + "/" + r.partition()).distinct().sorted())
                .containsExactly("carts/0", "taps/0", "taps/1");
        assertThat(Files.readString(checkpoints)).contains("\"taps/shardId-000000000000\"",
                "\"taps/shardId-000000000001\"", "\"carts/shardId-000000000000\"");

        put(client, "carts", values("cart-", 50, 60));
        InMemoryTarget second = new InMemoryTarget();
        try (RunningPipeline running = RunningPipeline.start(pipeline(kinesis, List.of("carts", "taps"), checkpoints,
                second))) {
            running.awaitUntil(() -> stored(second).containsAll(values("cart-", 50, 60)), Duration.ofSeconds(60));
        }
        assertThat(stored(second)).containsExactlyInAnyOrderElementsOf(values("cart-", 50, 60));
        client.close();
    }

    /**
     * Enhanced fan-out against kinesis-local's SubscribeToShard (HTTP/2): the consumer is registered, each shard is
     * subscribed, each subscription is renewed every 4 s while records keep arriving, a split mid-run ends the
     * parent's subscription with its children, and a restart subscribes after the checkpoint.
     */
    @Test
    void fanOutSubscribesToEachShardRenewsTheSubscriptionsAndResumesAfterTheCheckpoint(EmbeddedKinesis kinesis)
            throws Exception {
        KinesisClient client = client(kinesis);
        createStream(client, "fans", 2);
        put(client, "fans", values("fan-", 0, 100));
        KinesisSource.Settings settings = new KinesisSource.Settings(List.of("fans"),
                KinesisSource.InitialPosition.TRIM_HORIZON, null, 10_000, 5, Duration.ofMillis(500), 10_000)
                .withFanOut(new KinesisSource.FanOut("ksf-test", Duration.ofSeconds(4)));
        Path checkpoints = dir.resolve("fans.json");
        InMemoryTarget first = new InMemoryTarget();
        KinesisSource source = KinesisSource.withFileCheckpoints(client(kinesis),
                KinesisSourceFactory.asyncClient(EmbeddedKinesis.REGION, kinesis.endpoint()), settings, checkpoints);
        try (RunningPipeline running = RunningPipeline.start(fanOutPipeline(source, first))) {
            running.awaitUntil(() -> first.stored().size() >= 100, Duration.ofSeconds(60));
            for (int batch = 1; batch < 6; batch++) {
                int subscribed = source.subscriptions();
                int stored = batch * 100 + 100;
                put(client, "fans", values("fan-", batch * 100, stored));
                // each batch is read, and a subscription renewed (every 4 s), before the next arrives
                running.awaitUntil(() -> first.stored().size() >= stored && source.subscriptions() > subscribed,
                        Duration.ofSeconds(60));
                if (batch == 3) {
                    client.splitShard(b -> b.streamName("fans").shardToSplit("shardId-000000000000")
                            .newStartingHashKey("85070591730234615865843651857942052864"));
                    awaitActive(client, "fans");
                }
            }
            running.awaitUntil(() -> first.stored().size() >= 600, Duration.ofSeconds(60));
        }
        assertThat(stored(first)).containsExactlyInAnyOrderElementsOf(values("fan-", 0, 600));
        assertThat(source.subscriptions()).as("subscriptions made, renewals included").isGreaterThan(6);
        List<KsfRecord> records = first.stored();
        for (int partition = 0; partition < 4; partition++) {
            int p = partition;
            List<Long> offsets = records.stream().filter(r -> r.partition() == p).map(KsfRecord::offset).toList();
            assertThat(offsets).as("partition %d: every offset once, in order", p)
                    .isEqualTo(LongStream.range(0, offsets.size()).boxed().toList());
        }
        int lastOfParent = IntStream.range(0, records.size()).filter(i -> records.get(i).partition() == 0).max()
                .orElseThrow();
        int firstOfChildren = IntStream.range(0, records.size()).filter(i -> records.get(i).partition() >= 2).min()
                .orElseThrow();
        assertThat(lastOfParent).as("the parent's last record before the children's first").isLessThan(firstOfChildren);

        put(client, "fans", values("fan-", 600, 650));
        InMemoryTarget second = new InMemoryTarget();
        try (RunningPipeline running = RunningPipeline.start(fanOutPipeline(KinesisSource.withFileCheckpoints(
                client(kinesis), KinesisSourceFactory.asyncClient(EmbeddedKinesis.REGION, kinesis.endpoint()), settings,
                checkpoints), second))) {
            running.awaitUntil(() -> stored(second).containsAll(values("fan-", 600, 650)), Duration.ofSeconds(60));
        }
        assertThat(stored(second)).containsExactlyInAnyOrderElementsOf(values("fan-", 600, 650));
        client.close();
    }

    private static Pipeline fanOutPipeline(KinesisSource source, InMemoryTarget target) {
        return Pipeline.builder().name("fans").source(source, new BytesFormat("\n")).target(target)
                .flushEvery(50, 1 << 20, Duration.ofMillis(200)).pollTimeout(Duration.ofMillis(200)).build();
    }

    private static Pipeline pipeline(EmbeddedKinesis kinesis, List<String> streams, Path checkpoints,
                                     InMemoryTarget target) {
        KinesisSource.Settings settings = new KinesisSource.Settings(streams,
                KinesisSource.InitialPosition.TRIM_HORIZON, null, 10_000, 5, Duration.ofMillis(500), 10_000);
        return Pipeline.builder().name(String.join("-", streams))
                .source(KinesisSource.withFileCheckpoints(client(kinesis), settings, checkpoints), new BytesFormat("\n"))
                .target(target).flushEvery(50, 1 << 20, Duration.ofMillis(200)).pollTimeout(Duration.ofMillis(200))
                .build();
    }
}
