package io.ksf.s3;

import io.ksf.contract.DelegatingSource;
import io.ksf.format.csv.CsvFormat;
import io.ksf.format.json.JsonFormat;
import io.ksf.kafka.KafkaSourceFactory;
import io.ksf.pipeline.Pipeline;
import io.ksf.spi.Format;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Options;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.support.Retry;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka -> S3 on a real broker and a real S3 API server: the keys and bytes a user finds in the bucket. */
@ExtendWith({KafkaBroker.class, S3Server.class})
class KafkaToS3Test {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    /** Two partitions of five posts each: value n goes to partition n % 2. */
    private static String topicWithPosts(EmbeddedKafka kafka) {
        String topic = "pins" + TOPICS.incrementAndGet();
        kafka.createTopic(topic, 2);
        kafka.produce(topic, 2, List.of(
                "{\"id\":0,\"country\":\"GB\",\"at\":\"2024-05-01T13:10:00Z\"}",
                "{\"id\":1,\"country\":\"FR\",\"at\":\"2024-05-01T13:20:00Z\"}",
                "{\"id\":2,\"country\":\"GB\",\"at\":\"2024-05-01T14:00:00Z\"}",
                "{\"id\":3,\"country\":\"FR\",\"at\":\"2024-05-01T14:30:00Z\"}",
                "{\"id\":4,\"country\":\"FR\",\"at\":\"2024-05-02T00:00:00Z\"}",
                "{\"id\":5,\"country\":\"GB\",\"at\":\"2024-05-02T00:00:01Z\"}",
                "{\"id\":6,\"country\":\"GB\",\"at\":\"2024-05-02T00:00:02Z\"}",
                "{\"id\":7,\"country\":\"FR\",\"at\":\"2024-05-02T00:00:03Z\"}",
                "{\"id\":8,\"country\":\"GB\",\"at\":\"2024-05-02T00:00:04Z\"}",
                "{\"id\":9,\"country\":\"FR\",\"at\":\"2024-05-02T00:00:05Z\"}"));
        return topic;
    }

    private static Source source(EmbeddedKafka kafka, String topic) {
        KafkaSourceFactory factory = new KafkaSourceFactory();
        return factory.create(Options.of("source", factory.options(), Map.of("topics", List.of(topic),
                "properties", Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", topic + "-g"))), null);
    }

    private static void run(Source source, S3Target target, long records) {
        Pipeline pipeline = Pipeline.builder().source(source, new JsonFormat()).target(target)
                .flushEvery(1000, 64L << 20, Duration.ofHours(1)).pollTimeout(Duration.ofMillis(200)).build();
        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == records, WAIT).stop();
        }
    }

    private static S3Target target(EmbeddedS3 s3, String bucket, Format format, int flushRecords,
                                   ObjectCompression compression) {
        return new S3Target(S3Buckets.client(s3), S3Buckets.settings(bucket, "curated/", format, flushRecords,
                compression));
    }

    @ParameterizedTest
    @EnumSource(ObjectCompression.class)
    void jsonLinesObjectsAreCutEveryThreeRecordsWithKeysFromTheirFirstOffset(ObjectCompression compression,
                                                                              EmbeddedKafka kafka,
                                                                              EmbeddedS3 s3) {
        String topic = topicWithPosts(kafka);
        String bucket = S3Buckets.create(s3, "json");

        run(source(kafka, topic), target(s3, bucket, new JsonFormat(), 3, compression), 10);

        String ext = ".json" + compression.suffix();
        String p0 = "curated/" + topic + "/partition=0/" + topic + "+0+";
        String p1 = "curated/" + topic + "/partition=1/" + topic + "+1+";
        assertThat(S3Buckets.objects(s3, bucket)).containsExactly(
                Map.entry(p0 + "00000000000000000000" + ext,
                        "{\"id\":0,\"country\":\"GB\",\"at\":\"2024-05-01T13:10:00Z\"}\n"
                                + "{\"id\":2,\"country\":\"GB\",\"at\":\"2024-05-01T14:00:00Z\"}\n"
                                + "{\"id\":4,\"country\":\"FR\",\"at\":\"2024-05-02T00:00:00Z\"}\n"),
                Map.entry(p0 + "00000000000000000003" + ext,
                        "{\"id\":6,\"country\":\"GB\",\"at\":\"2024-05-02T00:00:02Z\"}\n"
                                + "{\"id\":8,\"country\":\"GB\",\"at\":\"2024-05-02T00:00:04Z\"}\n"),
                Map.entry(p1 + "00000000000000000000" + ext,
                        "{\"id\":1,\"country\":\"FR\",\"at\":\"2024-05-01T13:20:00Z\"}\n"
                                + "{\"id\":3,\"country\":\"FR\",\"at\":\"2024-05-01T14:30:00Z\"}\n"
                                + "{\"id\":5,\"country\":\"GB\",\"at\":\"2024-05-02T00:00:01Z\"}\n"),
                Map.entry(p1 + "00000000000000000003" + ext,
                        "{\"id\":7,\"country\":\"FR\",\"at\":\"2024-05-02T00:00:03Z\"}\n"
                                + "{\"id\":9,\"country\":\"FR\",\"at\":\"2024-05-02T00:00:05Z\"}\n"));
        assertThat(kafka.committed(topic + "-g", topic)).isEqualTo(kafka.endOffsets(topic));
    }

    @ParameterizedTest
    @EnumSource(ObjectCompression.class)
    void csvObjectsHaveAHeaderAndOneRowPerRecord(ObjectCompression compression, EmbeddedKafka kafka, EmbeddedS3 s3) {
        String topic = topicWithPosts(kafka);
        String bucket = S3Buckets.create(s3, "csv");

        run(source(kafka, topic), target(s3, bucket, new CsvFormat(List.of(), true, ','), 0, compression), 10);

        String ext = ".csv" + compression.suffix();
        assertThat(S3Buckets.objects(s3, bucket)).containsExactly(
                Map.entry("curated/" + topic + "/partition=0/" + topic + "+0+00000000000000000000" + ext,
                        "id,country,at\r\n0,GB,2024-05-01T13:10:00Z\r\n2,GB,2024-05-01T14:00:00Z\r\n"
                                + "4,FR,2024-05-02T00:00:00Z\r\n6,GB,2024-05-02T00:00:02Z\r\n8,GB,2024-05-02T00:00:04Z\r\n"),
                Map.entry("curated/" + topic + "/partition=1/" + topic + "+1+00000000000000000000" + ext,
                        "id,country,at\r\n1,FR,2024-05-01T13:20:00Z\r\n3,FR,2024-05-01T14:30:00Z\r\n"
                                + "5,GB,2024-05-02T00:00:01Z\r\n7,FR,2024-05-02T00:00:03Z\r\n9,FR,2024-05-02T00:00:05Z\r\n"));
    }

    @Test
    void theFieldPartitionerPutsEachValueInItsOwnFolder(EmbeddedKafka kafka, EmbeddedS3 s3) {
        String topic = topicWithPosts(kafka);
        String bucket = S3Buckets.create(s3, "field");
        S3Target target = new S3Target(S3Buckets.client(s3), new S3Target.Settings(bucket, "", new JsonFormat(),
                ObjectPartitioner.byField("country"), 0, 0, Duration.ZERO, Duration.ZERO, 8L << 20, 64L << 20, ObjectCompression.NONE, null, null, retry()));

        run(source(kafka, topic), target, 10);

        assertThat(S3Buckets.objects(s3, bucket).keySet()).containsExactly(
                topic + "/country=FR/" + topic + "+0+00000000000000000002.json",
                topic + "/country=FR/" + topic + "+1+00000000000000000000.json",
                topic + "/country=GB/" + topic + "+0+00000000000000000000.json",
                topic + "/country=GB/" + topic + "+1+00000000000000000002.json");
    }

    @Test
    void theTimePartitionerUsesATimestampFieldAndAZone(EmbeddedKafka kafka, EmbeddedS3 s3) {
        String topic = topicWithPosts(kafka);
        String bucket = S3Buckets.create(s3, "time");
        S3Target target = new S3Target(S3Buckets.client(s3), new S3Target.Settings(bucket, "", new JsonFormat(),
                ObjectPartitioner.byTime("year=YYYY/month=MM/day=dd/hour=HH", ZoneId.of("UTC"), "at"), 0, 0,
                Duration.ZERO, Duration.ZERO, 8L << 20, 64L << 20, ObjectCompression.NONE, null, null, retry()));

        run(source(kafka, topic), target, 10);

        assertThat(S3Buckets.objects(s3, bucket).keySet()).containsExactly(
                topic + "/year=2024/month=05/day=01/hour=13/" + topic + "+0+00000000000000000000.json",
                topic + "/year=2024/month=05/day=01/hour=13/" + topic + "+1+00000000000000000000.json",
                topic + "/year=2024/month=05/day=01/hour=14/" + topic + "+0+00000000000000000001.json",
                topic + "/year=2024/month=05/day=01/hour=14/" + topic + "+1+00000000000000000001.json",
                topic + "/year=2024/month=05/day=02/hour=00/" + topic + "+0+00000000000000000002.json",
                topic + "/year=2024/month=05/day=02/hour=00/" + topic + "+1+00000000000000000002.json");
    }

    @Test
    void aTemplateLaysOutHiveFoldersOfFieldsAndTime(EmbeddedKafka kafka, EmbeddedS3 s3) {
        String topic = topicWithPosts(kafka);
        String bucket = S3Buckets.create(s3, "template");
        S3Target target = new S3Target(S3Buckets.client(s3), new S3Target.Settings(bucket, "", new JsonFormat(),
                ObjectPartitioner.byTemplate("country={country}/dt={time:yyyy-MM-dd}/hr={time:HH}", ZoneId.of("UTC"),
                        "at"), 0, 0, Duration.ZERO, Duration.ZERO, 8L << 20, 64L << 20, ObjectCompression.NONE, null,
                null, retry()));

        run(source(kafka, topic), target, 10);

        String p0 = "+0+0000000000000000000";
        String p1 = "+1+0000000000000000000";
        assertThat(S3Buckets.objects(s3, bucket).keySet()).containsExactlyInAnyOrder(
                topic + "/country=GB/dt=2024-05-01/hr=13/" + topic + p0 + "0.json",
                topic + "/country=GB/dt=2024-05-01/hr=14/" + topic + p0 + "1.json",
                topic + "/country=FR/dt=2024-05-02/hr=00/" + topic + p0 + "2.json",
                topic + "/country=GB/dt=2024-05-02/hr=00/" + topic + p0 + "3.json",
                topic + "/country=FR/dt=2024-05-01/hr=13/" + topic + p1 + "0.json",
                topic + "/country=FR/dt=2024-05-01/hr=14/" + topic + p1 + "1.json",
                topic + "/country=GB/dt=2024-05-02/hr=00/" + topic + p1 + "2.json",
                topic + "/country=FR/dt=2024-05-02/hr=00/" + topic + p1 + "3.json");
    }

    @Test
    void aCrashAfterTheUploadButBeforeTheCommitLeavesTheSameObjectsAfterARestart(EmbeddedKafka kafka, EmbeddedS3 s3) {
        String topic = topicWithPosts(kafka);
        String bucket = S3Buckets.create(s3, "replay");
        AtomicBoolean crashed = new AtomicBoolean();
        Source dying = new CommitCrashes(source(kafka, topic), crashed);
        Pipeline first = Pipeline.builder().source(dying, new JsonFormat())
                .target(target(s3, bucket, new JsonFormat(), 3, ObjectCompression.NONE))
                .flushEvery(10, 64L << 20, Duration.ofHours(1)).build();
        assertThat(RunningPipeline.start(first).failure()).hasMessageContaining("died before committing");
        Map<String, String> beforeRestart = S3Buckets.objects(s3, bucket);
        assertThat(beforeRestart).hasSize(4);
        assertThat(kafka.committed(topic + "-g", topic)).isEmpty();

        run(source(kafka, topic), target(s3, bucket, new JsonFormat(), 3, ObjectCompression.NONE), 10);

        assertThat(S3Buckets.objects(s3, bucket)).isEqualTo(beforeRestart);
        assertThat(kafka.committed(topic + "-g", topic)).isEqualTo(kafka.endOffsets(topic));
    }

    @Test
    void anObjectLargerThanThePartSizeGoesThroughMultipartAndReadsBackIdentical(EmbeddedS3 s3) {
        String bucket = S3Buckets.create(s3, "multipart");
        StringBuilder expected = new StringBuilder();
        S3Target target = new S3Target(S3Buckets.client(s3), new S3Target.Settings(bucket, "", new JsonFormat(),
                ObjectPartitioner.byKafkaPartition(), 0, 0, Duration.ZERO, Duration.ZERO, 5L << 20, 64L << 20, ObjectCompression.NONE, null, null, retry()));
        List<KsfRecord> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            String value = "{\"i\":" + i + ",\"pad\":\"" + "x".repeat(100 + i % 17) + "\"}";
            expected.append(value).append('\n');
            batch.add(KsfRecord.of("big", 0, i, value));
        }
        target.write(batch);
        Positions positions = target.flush();
        target.close();

        assertThat(expected.length()).isGreaterThan(5 << 20);
        assertThat(positions.next(new io.ksf.spi.SourcePartition("big", 0))).isEqualTo(60_000);
        assertThat(S3Buckets.objects(s3, bucket)).containsExactly(
                Map.entry("big/partition=0/big+0+00000000000000000000.json", expected.toString()));
    }

    @Test
    void rotateIntervalCutsObjectsOnRecordTimeSoAReplayCutsAtTheSamePlaces(EmbeddedS3 s3) {
        String bucket = S3Buckets.create(s3, "interval");
        List<KsfRecord> records = new java.util.ArrayList<>();
        long[] timestamps = {0, 10_000, 59_999, 60_000, 61_000, 200_000};
        for (int i = 0; i < timestamps.length; i++) {
            records.add(KsfRecord.of("clicks", 0, i, timestamps[i], null,
                    ("{\"i\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of()));
        }
        for (int run = 0; run < 2; run++) {
            S3Target target = new S3Target(S3Buckets.client(s3), new S3Target.Settings(bucket, "", new JsonFormat(),
                    ObjectPartitioner.byKafkaPartition(), 0, 0, Duration.ofMinutes(1), Duration.ZERO, 8L << 20, 64L << 20,
                    ObjectCompression.NONE, null, null, retry()));
            target.write(records);
            target.flush();
            target.close();
        }

        assertThat(S3Buckets.objects(s3, bucket)).containsExactly(
                Map.entry("clicks/partition=0/clicks+0+00000000000000000000.json", "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n"),
                Map.entry("clicks/partition=0/clicks+0+00000000000000000003.json", "{\"i\":3}\n{\"i\":4}\n"),
                Map.entry("clicks/partition=0/clicks+0+00000000000000000005.json", "{\"i\":5}\n"));
    }

    @Test
    void rotateScheduleStoresObjectsOpenTooLongOnTheWallClock(EmbeddedS3 s3) {
        String bucket = S3Buckets.create(s3, "schedule");
        S3Target target = new S3Target(S3Buckets.client(s3), new S3Target.Settings(bucket, "", new JsonFormat(),
                ObjectPartitioner.byKafkaPartition(), 0, 0, Duration.ZERO, Duration.ofMillis(300), 8L << 20, 64L << 20,
                ObjectCompression.NONE, null, null, retry()));
        target.write(List.of(KsfRecord.of("quiet", 0, 0, "{\"a\":1}")));
        assertThat(S3Buckets.objects(s3, bucket)).isEmpty();

        long[] busyOffset = {0};
        io.ksf.contract.Wait.until(() -> {
            // traffic on another partition reaches the target; a fully idle pipeline flushes on flush.interval
            target.write(List.of(KsfRecord.of("busy", 0, busyOffset[0]++, "{\"b\":1}")));
            return S3Buckets.objects(s3, bucket).containsKey("quiet/partition=0/quiet+0+00000000000000000000.json");
        }, Duration.ofSeconds(10), "the quiet partition's object");

        assertThat(S3Buckets.objects(s3, bucket))
                .containsEntry("quiet/partition=0/quiet+0+00000000000000000000.json", "{\"a\":1}\n");
        target.close();
    }

    private static Retry retry() {
        return new Retry(Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofSeconds(1));
    }

    /** A source whose first commit fails, as if the process died between the upload and the commit. */
    private static final class CommitCrashes extends DelegatingSource {
        private final AtomicBoolean crashed;

        CommitCrashes(Source delegate, AtomicBoolean crashed) {
            super(delegate);
            this.crashed = crashed;
        }

        @Override
        public void commit(Positions positions) {
            crashed.set(true);
            throw new KsfException("the process died before committing");
        }
    }
}
