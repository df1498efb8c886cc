package io.ksf.bench;

import io.ksf.contract.InMemoryTarget;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.kinesis.KinesisSource;
import io.ksf.kinesis.KinesisSourceFactory;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineStats;
import io.ksf.spi.Format;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.Target;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedKinesis;
import io.ksf.testkit.FaultProxy;
import io.ksf.testkit.KplAggregator;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

/**
 * Reading one shard of the local Kinesis server (kinesis-local, slow: compare the ratio, not the rate), in one
 * run: bare GetRecords calls back to back (the limit), against the {@code kinesis} source in a pipeline to an
 * in-memory target with its checkpoints in a file, reading as fast as Kinesis allows (5 reads/s/shard), and the
 * same records as KPL aggregates on a second stream; and an 8-shard stream read by one instance, then by three that
 * share its shards.
 *
 * <pre>
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar io.ksf.bench.KinesisBench [--records 20000]
 *     [--kinesis-latency 30] [--out FILE]
 * </pre>
 */
public final class KinesisBench {
    /** User records per KPL aggregate (about 14 KiB each). */
    private static final int AGGREGATE = 100;
    private static final String ROW = "{\"index\": 7528, \"unique_id\": \"fbe53c66-3442-4773-b19e-d3ec6f19e7ab\", "
            + "\"title\": \"No Title Data Available\", \"category\": \"mens-fashion\"}";

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = Harness.flags(args, Set.of());
        int records = Integer.parseInt(flags.getOrDefault("--records", "20000"));
        EmbeddedKinesis.useAsDefaultCredentials();
        String table;
        try (EmbeddedKinesis kinesis = EmbeddedKinesis.start();
             KinesisClient client = KinesisSourceFactory.client(EmbeddedKinesis.REGION, kinesis.endpoint())) {
            createStream(client, "bench", 1);
            putRows(client, "bench", records);
            putAggregated(client, records);
            Harness.Measured bare = Harness.measure(() -> bareGetRecords(client, records));
            Harness.Measured ksf = Harness.measure(() -> ksf(kinesis, "bench", records, false));
            Harness.Measured aggregated = Harness.measure(() -> ksf(kinesis, "bench-kpl", records, false));
            String fanOut = fanOut(kinesis, client, records, ksf);
            String shared = shared(kinesis, client, records,
                    Duration.ofMillis(Long.parseLong(flags.getOrDefault("--kinesis-latency", "30"))));
            table = String.format(Locale.ROOT, """
                    Kinesis, one shard of kinesis-local, %,d records of %d bytes, read from the oldest (one run)

                    | reader | seconds | records/s | CPU s | KSF vs this |
                    |---|---|---|---|---|
                    | bare GetRecords back to back (limit 10,000) | %.2f | %,.0f | %.2f | %.2f |
                    | KSF kinesis source -> in-memory target, file checkpoints, 5 reads/s | %.2f | %,.0f | %.2f | |
                    | the same records in KPL aggregates of %d (aws-kinesis-agg), split by KSF | %.2f | %,.0f | %.2f | |

                    Aggregated / plain, KSF's records/s: %.2f

                    %s
                    %s""", records, ROW.length(), bare.seconds(), records / bare.seconds(), bare.cpuSeconds(),
                    bare.seconds() / ksf.seconds(), ksf.seconds(), records / ksf.seconds(), ksf.cpuSeconds(),
                    AGGREGATE, aggregated.seconds(), records / aggregated.seconds(), aggregated.cpuSeconds(),
                    ksf.seconds() / aggregated.seconds(), fanOut, shared);
        }
        Harness.finish(table, flags, "benchmarks/target/kinesis-results.md");
    }

    /**
     * An 8-shard stream read by one instance, then by three that share its shards through the group on their
     * checkpoint topic (each its own client and pipeline thread), each time from the oldest record: records/s from
     * the moment the group gave every instance its share until the last record is stored. GetRecords returns at most
     * 100 records, as when records arrive while they are read, and each call to the server is held {@code latency}
     * (AWS answers in tens of milliseconds; the local server at once).
     */
    private static String shared(EmbeddedKinesis kinesis, KinesisClient client, int records, Duration latency)
            throws Exception {
        createStream(client, "bench-8", 8);
        putRows(client, "bench-8", records);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); FaultProxy proxy = FaultProxy.start(kinesis.endpoint())) {
            proxy.delay(latency);
            proxy.failFor(FaultProxy.Fault.DELAY, Duration.ofDays(1));
            double one = sharedRate(proxy.endpoint(), kafka, 1, records);
            double three = sharedRate(proxy.endpoint(), kafka, 3, records);
            return String.format(Locale.ROOT, """
                    Shards shared among instances: an 8-shard stream, %,d records, at most 100 per GetRecords, \
                    5 reads/s per shard (the limit: %,d records/s), each call held %d ms; checkpoints in Kafka \
                    (8 partitions) (one run)

                    | instances | records/s | vs one |
                    |---|---|---|
                    | 1 | %,.0f | 1.00 |
                    | 3 | %,.0f | %.2f |
                    """, records, 8 * 5 * 100, latency.toMillis(), one, three, three / one);
        }
    }

    private static double sharedRate(URI endpoint, EmbeddedKafka kafka, int count, int records)
            throws Exception {
        String group = "bench-8-" + count;
        Properties cluster = new Properties();
        cluster.put("bootstrap.servers", kafka.bootstrapServers());
        KinesisSource.Settings settings = new KinesisSource.Settings("bench-8",
                KinesisSource.InitialPosition.TRIM_HORIZON, null, 100, 5, Duration.ofSeconds(10), 10_000);
        List<InMemoryTarget> targets = new ArrayList<>();
        List<Pipeline> pipelines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            InMemoryTarget target = new InMemoryTarget();
            targets.add(target);
            pipelines.add(Pipeline.builder().name(group + "-" + i)
                    .source(KinesisSource.withKafkaCheckpoints(KinesisSourceFactory.client(EmbeddedKinesis.REGION,
                            endpoint), settings, cluster, group, 8, group), new BytesFormat("\n"))
                    .target(target).flushEvery(10_000, 64L << 20, Duration.ofMillis(200))
                    .pollTimeout(Duration.ofMillis(50)).build());
        }
        List<CompletableFuture<PipelineStats>> runs = pipelines.stream()
                .map(p -> CompletableFuture.supplyAsync(p::run)).toList();
        while (!shared(kafka, group, count)) {
            Thread.sleep(20);
        }
        long from = System.nanoTime();
        int storedAtStart = stored(targets);
        while (stored(targets) < records && runs.stream().noneMatch(CompletableFuture::isDone)) {
            Thread.sleep(5);
        }
        double rate = (records - storedAtStart) / ((System.nanoTime() - from) / 1e9);
        pipelines.forEach(Pipeline::close);
        runs.forEach(CompletableFuture::join);
        return rate;
    }

    private static int stored(List<InMemoryTarget> targets) {
        return targets.stream().mapToInt(t -> t.stored().size()).sum();
    }

    /** Whether the group gave each of its {@code count} members a share of the checkpoint topic. */
    private static boolean shared(EmbeddedKafka kafka, String group, int count) {
        try {
            ConsumerGroupDescription description = kafka.admin().describeConsumerGroups(List.of(group)).all().get()
                    .get(group);
            return description.groupState() == GroupState.STABLE && description.members().size() == count
                    && description.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
        } catch (InterruptedException | ExecutionException e) {
            return false; // the group is not there yet
        }
    }

    private static void createStream(KinesisClient client, String stream, int shards) throws InterruptedException {
        client.createStream(b -> b.streamName(stream).shardCount(shards));
        while (client.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary()
                .streamStatus() != StreamStatus.ACTIVE) {
            Thread.sleep(100);
        }
    }

    /** {@code records} copies of the sample row, keys spread over the shards. */
    private static void putRows(KinesisClient client, String stream, int records) {
        for (int start = 0; start < records; start += 500) {
            List<PutRecordsRequestEntry> entries = IntStream.range(start, Math.min(records, start + 500))
                    .mapToObj(n -> PutRecordsRequestEntry.builder().partitionKey("k" + n)
                            .data(SdkBytes.fromUtf8String(ROW)).build()).toList();
            client.putRecords(b -> b.streamName(stream).records(entries));
        }
    }

    /** A kinesis source of one stream from its oldest record, with file checkpoints, polling or by fan-out. */
    private static KinesisSource source(EmbeddedKinesis kinesis, String stream, boolean fanOut) throws IOException {
        Path checkpoints = Files.createTempDirectory("ksf-kinesis-bench-").resolve("checkpoints.json");
        KinesisSource.Settings settings = new KinesisSource.Settings(stream,
                KinesisSource.InitialPosition.TRIM_HORIZON, null, 10_000, 5, Duration.ofSeconds(10), 10_000);
        KinesisClient client = KinesisSourceFactory.client(EmbeddedKinesis.REGION, kinesis.endpoint());
        if (!fanOut) {
            return KinesisSource.withFileCheckpoints(client, settings, checkpoints);
        }
        return KinesisSource.withFileCheckpoints(client, KinesisSourceFactory.asyncClient(EmbeddedKinesis.REGION,
                        kinesis.endpoint()), settings.withFanOut(new KinesisSource.FanOut("ksf-bench",
                        Duration.ofMinutes(5))), checkpoints);
    }

    /**
     * Polling against enhanced fan-out on one shard: records/s reading the stream's 20,000 records from the oldest,
     * and the latency from each put to the record being durable while 400 records/s arrive for 8 s.
     */
    private static String fanOut(EmbeddedKinesis kinesis, KinesisClient client, int records,
                                 Harness.Measured polling) throws Exception {
        Harness.Measured fanOut = Harness.measure(() -> ksf(kinesis, "bench", records, true));
        long[] pollingLatency = latencies(kinesis, client, "bench-live-polling", false);
        long[] fanOutLatency = latencies(kinesis, client, "bench-live-fan-out", true);
        return String.format(Locale.ROOT, """
                Polling against enhanced fan-out, one shard of kinesis-local (one run): records/s reading the %,d \
                records above from the oldest; latency from the put to the record durable in the target, with 400 \
                records/s arriving for 8 s

                | read | records/s | CPU s | latency p50 ms | p99 ms |
                |---|---|---|---|---|
                | polling, 5 GetRecords/s | %,.0f | %.2f | %d | %d |
                | fan-out (SubscribeToShard over HTTP/2) | %,.0f | %.2f | %d | %d |

                Fan-out / polling, records/s: %.2f; latency p50: %.2f
                """, records, records / polling.seconds(), polling.cpuSeconds(), pollingLatency[0], pollingLatency[1],
                records / fanOut.seconds(), fanOut.cpuSeconds(), fanOutLatency[0], fanOutLatency[1],
                polling.seconds() / fanOut.seconds(), (double) fanOutLatency[0] / pollingLatency[0]);
    }

    /** The p50 and p99 of put-to-durable milliseconds on a stream of its own, read while records arrive. */
    private static long[] latencies(EmbeddedKinesis kinesis, KinesisClient client, String stream, boolean fanOut)
            throws Exception {
        createStream(client, stream, 1);
        LatencyTarget target = new LatencyTarget();
        Pipeline pipeline = Pipeline.builder().name("kinesis-latency").source(source(kinesis, stream, fanOut),
                        new BytesFormat("\n"))
                .target(target).flushEvery(10_000, 64L << 20, Duration.ofMillis(20))
                .pollTimeout(Duration.ofMillis(20)).build();
        CompletableFuture<PipelineStats> run = CompletableFuture.supplyAsync(pipeline::run);
        Thread.sleep(5_000); // reading (and, with fan-out, subscribed) before the first put
        int put = 0;
        for (long until = System.nanoTime() + 8_000_000_000L; System.nanoTime() < until; put += 20) {
            List<PutRecordsRequestEntry> entries = IntStream.range(0, 20).mapToObj(n -> PutRecordsRequestEntry
                    .builder().partitionKey("k" + n).data(SdkBytes.fromUtf8String(Long.toString(System.nanoTime())))
                    .build()).toList();
            client.putRecords(b -> b.streamName(stream).records(entries));
            Thread.sleep(50);
        }
        while (target.count() < put && !run.isDone()) {
            Thread.sleep(5);
        }
        pipeline.close();
        run.join();
        return target.percentiles();
    }

    /**
     * An in-memory target that notes, when it makes records durable, how long ago each was put (its value: the put's
     * nanoTime).
     */
    private static final class LatencyTarget implements Target {
        private final InMemoryTarget memory = new InMemoryTarget();
        private final List<Long> millis = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void write(List<KsfRecord> records) {
            memory.write(records);
        }

        @Override
        public Positions flush() {
            int before = memory.stored().size();
            Positions positions = memory.flush();
            long now = System.nanoTime();
            List<KsfRecord> stored = memory.stored();
            for (KsfRecord record : stored.subList(before, stored.size())) {
                millis.add((now - Long.parseLong(new String(record.value(), StandardCharsets.UTF_8))) / 1_000_000);
            }
            return positions;
        }

        @Override
        public boolean takesUndecoded(Format sourceFormat) {
            return true;
        }

        @Override
        public void discard(Collection<SourcePartition> partitions) {
            memory.discard(partitions);
        }

        @Override
        public void close() {
            memory.close();
        }

        int count() {
            return millis.size();
        }

        long[] percentiles() {
            List<Long> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            return new long[] {sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99))};
        }
    }

    /** The same records on a stream of their own, as KPL aggregates made by npm's aws-kinesis-agg. */
    private static void putAggregated(KinesisClient client, int records) throws InterruptedException {
        createStream(client, "bench-kpl", 1);
        List<List<KplAggregator.Entry>> groups = new ArrayList<>();
        for (int start = 0; start < records; start += AGGREGATE) {
            groups.add(IntStream.range(start, Math.min(records, start + AGGREGATE)).mapToObj(n ->
                    new KplAggregator.Entry("k" + n, null, ROW.getBytes(StandardCharsets.UTF_8))).toList());
        }
        List<KplAggregator.Entry> aggregates = KplAggregator.aggregate(groups);
        for (int start = 0; start < aggregates.size(); start += 100) {
            List<PutRecordsRequestEntry> entries = aggregates.subList(start, Math.min(aggregates.size(), start + 100))
                    .stream().map(a -> PutRecordsRequestEntry.builder().partitionKey(a.partitionKey())
                            .data(SdkBytes.fromByteArray(a.data())).build()).toList();
            client.putRecords(b -> b.streamName("bench-kpl").records(entries));
        }
    }

    private static void bareGetRecords(KinesisClient client, int records) {
        String iterator = client.getShardIterator(b -> b.streamName("bench").shardId("shardId-000000000000")
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        int read = 0;
        while (read < records) {
            String from = iterator;
            GetRecordsResponse response = client.getRecords(b -> b.shardIterator(from).limit(10_000));
            read += response.records().size();
            iterator = response.nextShardIterator();
        }
    }

    private static void ksf(EmbeddedKinesis kinesis, String stream, int records, boolean fanOut) throws Exception {
        InMemoryTarget target = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().name("kinesis-bench").source(source(kinesis, stream, fanOut),
                        new BytesFormat("\n"))
                .target(target).flushEvery(10_000, 64L << 20, Duration.ofMillis(200))
                .pollTimeout(Duration.ofMillis(50)).build();
        CompletableFuture<PipelineStats> run = CompletableFuture.supplyAsync(pipeline::run);
        while (target.stored().size() < records && !run.isDone()) {
            Thread.sleep(5);
        }
        pipeline.close();
        run.join();
    }
}
