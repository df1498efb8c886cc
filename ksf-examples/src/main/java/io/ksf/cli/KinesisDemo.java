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
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import java.util.stream.IntStream;

/**
 * Seed 003 with nothing installed but Node.js: an embedded Kinesis server (kinesis-local) and broker; a producer
 * writes events to a 2-shard stream, the stream is split mid-run, the second half comes as KPL aggregates (when the
 * build installed npm's aws-kinesis-agg), and the {@code kinesis} source moves every event into an MSK-style topic
 * exactly once, parents before children, aggregates split into their user records.
 */
final class KinesisDemo {
    static final String STREAM = "events";
    static final String TOPIC = "events.from-kinesis";

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
            Pipeline pipeline = PipelinePlan.resolve(ConfigLoader.create().parse("""
                    {"name": "kinesis-to-msk",
                     "source": {"type": "kinesis", "stream": "%1$s", "endpoint": "%2$s", "region": "%3$s",
                                "reads.per.second": 5, "shard.discovery.interval": "1s",
                                "checkpoint": "kafka", "checkpoint.topic": "ksf-kinesis-checkpoints",
                                "checkpoint.properties": {"bootstrap.servers": "%4$s"}},
                     "target": {"type": "kafka", "topic": "%5$s", "exactly.once": true,
                                "properties": {"bootstrap.servers": "%4$s"}},
                     "pipeline": {"flush.records": 500, "flush.interval": "200ms", "poll.timeout": "200ms"}}
                    """.formatted(STREAM, kinesis.endpoint(), EmbeddedKinesis.REGION, kafka.bootstrapServers(),
                    TOPIC)), Registry.load()).build(new SimpleMeterRegistry());
            long started = System.nanoTime();
            CompletableFuture<PipelineStats> run = CompletableFuture.supplyAsync(pipeline::run);
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
            while (committed(kafka).size() < records && System.nanoTime() < deadline && !run.isDone()) {
                Thread.sleep(200);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            pipeline.close();
            run.join();

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
