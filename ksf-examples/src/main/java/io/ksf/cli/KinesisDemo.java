package io.ksf.cli;

import io.ksf.config.ConfigLoader;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.PipelineStats;
import io.ksf.pipeline.Registry;
import io.ksf.kinesis.KinesisSource;
import io.ksf.kinesis.KinesisSourceFactory;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedKinesis;
import io.ksf.testkit.KplAggregator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

/**
 * Seed 003 with nothing installed but Node.js: an embedded Kinesis server (kinesis-local) and broker; a producer
 * writes events to a 2-shard stream, the stream is split mid-run, the second half comes as KPL aggregates (when the
 * build installed npm's aws-kinesis-agg), and two instances of the pipeline, sharing the shards through the group on
 * their checkpoint topic, move every event into an MSK-style topic exactly once, parents before children (a child
 * in the other instance's share waits for its parent), aggregates split into their user records.
 */
final class KinesisDemo {
    static final String STREAM = "events";
    static final String TOPIC = "events.from-kinesis";
    /** The checkpoint topic's partitions: the shards once split (0 and 1, then the children 2 and 3), one each. */
    private static final int CHECKPOINT_SHARDS = 4;
    private static final String[] INSTANCES = {"ksf-instance-1", "ksf-instance-2"};
    /** The checkpoint group's default name: ksf-kinesis-<stream>. */
    private static final String GROUP = "ksf-kinesis-" + STREAM;

    private KinesisDemo() {
    }

    static int run(PrintWriter console, int records) throws Exception {
        String missing = EmbeddedKinesis.unavailableReason();
        if (missing != null) {
            console.println("the kinesis scenario needs a Kinesis API server: " + missing);
            console.flush();
            return KsfCommand.FAILED;
        }
        console.println("starting an embedded Kinesis server (kinesis-local on node) and Kafka broker ...");
        console.flush();
        EmbeddedKinesis.useAsDefaultCredentials();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedKinesis kinesis = EmbeddedKinesis.start();
             KinesisClient client = KinesisSourceFactory.client(EmbeddedKinesis.REGION, kinesis.endpoint())) {
            client.createStream(b -> b.streamName(STREAM).shardCount(2));
            awaitActive(client);
            kafka.createTopic(TOPIC, 3);
            List<Pipeline> instances = List.of(instance(kinesis, kafka, 1), instance(kinesis, kafka, 2));
            long started = System.nanoTime();
            List<CompletableFuture<PipelineStats>> runs = instances.stream()
                    .map(instance -> CompletableFuture.supplyAsync(instance::run)).toList();
            Map<String, List<Integer>> shares = awaitShares(kafka, runs);
            int half = records / 2;
            put(client, 0, half);
            console.printf("put %,d events into stream '%s' (2 shards)%n", half, STREAM);
            client.splitShard(b -> b.streamName(STREAM).shardToSplit("shardId-000000000000")
                    .newStartingHashKey("85070591730234615865843651857942052864"));
            awaitActive(client);
            console.println("split shardId-000000000000 into two children");
            int aggregates = KplAggregator.unavailableReason() == null ? putAggregated(client, half, records) : 0;
            if (aggregates > 0) {
                console.printf("put %,d more events as %,d KPL aggregates (made by npm's aws-kinesis-agg, as the "
                        + "Kinesis Producer Library packs them)%n", records - half, aggregates);
            } else {
                put(client, half, records);
                console.printf("put %,d more events%n", records - half);
            }
            console.flush();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (committed(kafka).size() < records && System.nanoTime() < deadline
                    && runs.stream().noneMatch(CompletableFuture::isDone)) {
                Thread.sleep(200);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            instances.forEach(Pipeline::close);
            List<PipelineStats> stats = runs.stream().map(CompletableFuture::join).toList();

            List<ConsumerRecord<byte[], byte[]>> inTopic = committed(kafka);
            Map<String, Integer> perShard = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> record : inTopic) {
                perShard.merge(new String(record.headers().lastHeader(KinesisSource.SHARD_HEADER).value(),
                        StandardCharsets.UTF_8), 1, Integer::sum);
            }
            long distinct = new HashSet<>(inTopic.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .toList()).size();
            console.println();
            console.println("KSF demo: Kinesis stream '" + STREAM + "' (embedded server) -> Kafka topic '" + TOPIC
                    + "', exactly once");
            perShard.forEach((shard, count) -> console.printf("  %-22s %,d records%n", shard, count));
            console.printf("  shared by %d instances through the group on their checkpoint topic (%d partitions; "
                    + "a shard's is its number %% %d):%n", instances.size(), CHECKPOINT_SHARDS, CHECKPOINT_SHARDS);
            for (int i = 0; i < instances.size(); i++) {
                List<Integer> share = shares.getOrDefault(INSTANCES[i], List.of());
                List<String> read = perShard.keySet().stream().filter(shard -> share.contains(
                        Integer.parseInt(shard.substring(shard.lastIndexOf('-') + 1)) % CHECKPOINT_SHARDS)).toList();
                console.printf("  instance %d             %,d records of %s%n", i + 1, stats.get(i).recordsIn(),
                        String.join(", ", read));
            }
            if (aggregates > 0) {
                long split = inTopic.stream().filter(r -> r.headers().lastHeader(KinesisSource.SUB_SEQUENCE_HEADER)
                        != null).count();
                console.printf("  KPL aggregates split   %,d aggregates -> %,d user records, each its own record%n",
                        aggregates, split);
            }
            console.printf("  records in topic       %,d of %,d put, %,d distinct (each once: %s)%n", inTopic.size(),
                    records, distinct, inTopic.size() == records && distinct == records ? "yes" : "NO");
            console.printf("  time                   %.2f s%n", seconds);
            console.flush();
            return inTopic.size() == records && distinct == records ? KsfCommand.OK : KsfCommand.FAILED;
        }
    }

    /** One instance of the pipeline: the same config but for its client id, which names it in the group. */
    private static Pipeline instance(EmbeddedKinesis kinesis, EmbeddedKafka kafka, int number) {
        return PipelinePlan.resolve(ConfigLoader.create().parse("""
                {"name": "kinesis-to-msk-%6$d",
                 "source": {"type": "kinesis", "stream": "%1$s", "endpoint": "%2$s", "region": "%3$s",
                            "reads.per.second": 5, "shard.discovery.interval": "1s",
                            "checkpoint": "kafka", "checkpoint.topic": "ksf-kinesis-checkpoints",
                            "checkpoint.shards": %7$d,
                            "checkpoint.properties": {"bootstrap.servers": "%4$s", "client.id": "%8$s"}},
                 "target": {"type": "kafka", "topic": "%5$s", "exactly.once": true,
                            "properties": {"bootstrap.servers": "%4$s"}},
                 "pipeline": {"flush.records": 500, "flush.interval": "200ms", "poll.timeout": "200ms"}}
                """.formatted(STREAM, kinesis.endpoint(), EmbeddedKinesis.REGION, kafka.bootstrapServers(), TOPIC,
                number, CHECKPOINT_SHARDS, INSTANCES[number - 1])), Registry.load()).build(new SimpleMeterRegistry());
    }

    /** Waits until the group on the checkpoint topic gave each instance its share; the partitions by client id. */
    private static Map<String, List<Integer>> awaitShares(EmbeddedKafka kafka,
                                                          List<CompletableFuture<PipelineStats>> runs)
            throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && runs.stream().noneMatch(CompletableFuture::isDone)) {
            ConsumerGroupDescription group;
            try {
                group = kafka.admin().describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
            } catch (ExecutionException e) {
                group = null; // not created yet
            }
            if (group != null && group.groupState() == GroupState.STABLE
                    && group.members().size() == INSTANCES.length) {
                Map<String, List<Integer>> shares = new TreeMap<>();
                group.members().forEach(member -> shares.put(member.clientId(), member.assignment().topicPartitions()
                        .stream().map(TopicPartition::partition).sorted().toList()));
                return shares;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the two instances did not share the checkpoint topic within 60 s");
    }

    private static void awaitActive(KinesisClient client) throws InterruptedException {
        for (int tries = 0; tries < 300; tries++) {
            if (client.describeStreamSummary(b -> b.streamName(STREAM)).streamDescriptionSummary().streamStatus()
                    == StreamStatus.ACTIVE) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("stream " + STREAM + " did not become active");
    }

    private static void put(KinesisClient client, int from, int to) {
        for (int start = from; start < to; start += 250) {
            List<PutRecordsRequestEntry> entries = IntStream.range(start, Math.min(to, start + 250))
                    .mapToObj(n -> PutRecordsRequestEntry.builder().partitionKey("user-" + n % 97)
                            .data(SdkBytes.fromUtf8String(event(n)))
                            .build()).toList();
            if (client.putRecords(b -> b.streamName(STREAM).records(entries)).failedRecordCount() > 0) {
                throw new IllegalStateException("the Kinesis server refused some records");
            }
        }
    }

    /** The events as KPL aggregates of 50, as a KPL producer would put them; how many aggregates. */
    private static int putAggregated(KinesisClient client, int from, int to) {
        List<List<KplAggregator.Entry>> groups = new ArrayList<>();
        for (int start = from; start < to; start += 50) {
            groups.add(IntStream.range(start, Math.min(to, start + 50)).mapToObj(n -> new KplAggregator.Entry(
                    "user-" + n % 97, null, event(n).getBytes(StandardCharsets.UTF_8))).toList());
        }
        List<KplAggregator.Entry> aggregates = KplAggregator.aggregate(groups);
        List<PutRecordsRequestEntry> entries = aggregates.stream().map(a -> PutRecordsRequestEntry.builder()
                .partitionKey(a.partitionKey()).data(SdkBytes.fromByteArray(a.data())).build()).toList();
        for (int start = 0; start < entries.size(); start += 250) {
            List<PutRecordsRequestEntry> part = entries.subList(start, Math.min(entries.size(), start + 250));
            if (client.putRecords(b -> b.streamName(STREAM).records(part)).failedRecordCount() > 0) {
                throw new IllegalStateException("the Kinesis server refused some records");
            }
        }
        return aggregates.size();
    }

    private static String event(int n) {
        return "{\"event\":" + n + ",\"user\":\"user-" + n % 97 + "\"}";
    }

    private static List<ConsumerRecord<byte[], byte[]>> committed(EmbeddedKafka kafka) {
        return kafka.readCommitted(TOPIC);
    }
}
