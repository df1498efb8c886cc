package io.ksf.kafka;

import io.ksf.contract.Folders;
import io.ksf.contract.InMemoryTarget;
import io.ksf.file.FileTarget;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineSettings;
import io.ksf.processor.ValidateProcessor;
import io.ksf.spi.Options;
import io.ksf.support.DeadLetters;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka -> pipeline -> target on a real broker. */
@ExtendWith(KafkaBroker.class)
class KafkaPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private static List<String> values(int count) {
        return IntStream.range(0, count).mapToObj(n -> "{\"n\":" + n + "}").toList();
    }

    private static KafkaSource source(EmbeddedKafka kafka, String group, String topic) {
        Options options = Options.of("source", new KafkaSourceFactory().options(), Map.of("topics", List.of(topic),
                "properties", Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", group,
                        "max.poll.records", "2000")));
        return (KafkaSource) new KafkaSourceFactory().create(options, null);
    }

    private static Pipeline toFolder(KafkaSource source, Path out, int flushRecords) {
        return Pipeline.builder().source(source, new JsonFormat()).target(new FileTarget(out, "", new JsonFormat()))
                .flushEvery(flushRecords, 64L << 20, Duration.ofSeconds(2)).pollTimeout(Duration.ofMillis(200)).build();
    }

    @ParameterizedTest
    @EnumSource(PipelineSettings.Mode.class)
    void everyRecordArrivesExactlyOnceAndTheCommittedOffsetsEqualTheEndOffsets(PipelineSettings.Mode mode,
                                                                              EmbeddedKafka kafka) throws IOException {
        String topic = "posts-" + mode.name().toLowerCase(java.util.Locale.ROOT);
        kafka.createTopic(topic, 6);
        kafka.produce(topic, 6, values(100_000));
        Pipeline pipeline = Pipeline.builder().source(source(kafka, topic + "-group", topic), new JsonFormat())
                .target(new FileTarget(dir, "", new JsonFormat())).mode(mode).memoryBudget(512 * 1024)
                .flushEvery(10_000, 64L << 20, Duration.ofSeconds(2)).pollTimeout(Duration.ofMillis(200)).build();

        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 100_000, WAIT).stop();
        }

        assertThat(sorted(Folders.lines(dir))).isEqualTo(sorted(values(100_000)));
        assertThat(kafka.committed(topic + "-group", topic)).isEqualTo(kafka.endOffsets(topic));
    }

    @Test
    void aPipelineStoppedMidStreamResumesWhereItCommittedWithNothingLost(EmbeddedKafka kafka) throws IOException {
        kafka.createTopic("posts-restart", 3);
        kafka.produce("posts-restart", 3, values(30_000));
        Pipeline first = toFolder(source(kafka, "restart-group", "posts-restart"), dir.resolve("first"), 1_000);
        try (RunningPipeline running = RunningPipeline.start(first)) {
            running.awaitUntil(() -> first.stats().recordsIn() >= 8_000, WAIT).stop();
        }
        long firstCount = first.stats().recordsIn();
        assertThat(firstCount).isLessThan(30_000);
        assertThat(kafka.committed("restart-group", "posts-restart").values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(firstCount);

        Pipeline second = toFolder(source(kafka, "restart-group", "posts-restart"), dir.resolve("second"), 1_000);
        try (RunningPipeline running = RunningPipeline.start(second)) {
            running.awaitUntil(() -> second.stats().recordsIn() == 30_000 - firstCount, WAIT).stop();
        }

        List<String> union = new ArrayList<>(Folders.lines(dir.resolve("first")));
        union.addAll(Folders.lines(dir.resolve("second")));
        assertThat(sorted(union)).isEqualTo(sorted(values(30_000)));
        assertThat(kafka.committed("restart-group", "posts-restart")).isEqualTo(kafka.endOffsets("posts-restart"));
    }

    @Test
    void twoInstancesInOneGroupSplitThePartitionsAndLoseNothingWhenOneCloses(EmbeddedKafka kafka) throws IOException {
        kafka.createTopic("posts-group", 4);
        kafka.produce("posts-group", 4, values(40_000));
        Pipeline a = toFolder(source(kafka, "shared-group", "posts-group"), dir.resolve("a"), 500);
        Pipeline b = toFolder(source(kafka, "shared-group", "posts-group"), dir.resolve("b"), 500);
        try (RunningPipeline runningA = RunningPipeline.start(a); RunningPipeline runningB = RunningPipeline.start(b)) {
            runningA.awaitUntil(() -> a.stats().recordsIn() > 0 && b.stats().recordsIn() > 0
                    || a.stats().recordsIn() + b.stats().recordsIn() >= 40_000, WAIT);
            runningB.stop();
            runningA.awaitUntil(() -> kafka.committed("shared-group", "posts-group")
                    .equals(kafka.endOffsets("posts-group")), WAIT).stop();
        }
        List<String> union = new ArrayList<>(Folders.lines(dir.resolve("a")));
        union.addAll(Folders.lines(dir.resolve("b")));
        assertThat(new java.util.TreeSet<>(union)).isEqualTo(new java.util.TreeSet<>(values(40_000)));
    }

    @Test
    void aPoisonRecordLandsInTheDeadLetterTopicWithItsOriginHeaders(EmbeddedKafka kafka) throws IOException {
        kafka.createTopic("posts-poison", 2);
        kafka.createTopic("posts-dlq", 1);
        List<String> input = new ArrayList<>(values(1_000));
        input.set(501, "{\"n\": broken");
        kafka.produce("posts-poison", 2, input);
        KafkaTarget deadLetters = KafkaTarget.deadLetters(props(kafka), "posts-dlq");
        Pipeline pipeline = Pipeline.builder().source(source(kafka, "poison-group", "posts-poison"), new JsonFormat())
                .processor(new ValidateProcessor(List.of("n"), Map.of(), null))
                .target(new FileTarget(dir, "", new JsonFormat())).deadLetter(deadLetters)
                .flushEvery(100, 1 << 20, Duration.ofSeconds(2)).build();

        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 1_000, WAIT).stop();
        }

        assertThat(Folders.lines(dir)).hasSize(999).doesNotContain("{\"n\": broken");
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.read("posts-dlq");
        assertThat(dead).singleElement().satisfies(record -> {
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"n\": broken");
            assertThat(header(record, DeadLetters.ORIGIN_TOPIC)).isEqualTo("posts-poison");
            assertThat(header(record, DeadLetters.ORIGIN_PARTITION)).isEqualTo("1"); // value 501 went to 501 % 2
            assertThat(header(record, DeadLetters.ORIGIN_OFFSET)).isEqualTo("250");
            assertThat(header(record, DeadLetters.ERROR_CLASS)).isEqualTo("io.ksf.spi.InvalidRecordException");
            assertThat(header(record, DeadLetters.ERROR_MESSAGE)).startsWith("not valid JSON");
        });
        assertThat(kafka.committed("poison-group", "posts-poison")).isEqualTo(kafka.endOffsets("posts-poison"));
    }

    @Test
    void aFailingFlushLeavesOffsetsUncommittedAndTheRecordsArriveWhenTheTargetRecovers(EmbeddedKafka kafka) {
        kafka.createTopic("posts-outage", 2);
        kafka.produce("posts-outage", 2, values(5_000));
        InMemoryTarget target = new InMemoryTarget().failNextFlushes(4, true);
        List<Map<TopicPartition, Long>> committedDuringOutage = new ArrayList<>();
        Pipeline pipeline = Pipeline.builder().source(source(kafka, "outage-group", "posts-outage"), new JsonFormat())
                .target(target).settings(PipelineSettings.defaults().withFlush(1_000, 1 << 20, Duration.ofSeconds(2))
                        .withRetry(Duration.ofMinutes(1), Duration.ofMillis(300)))
                .build();

        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> {
                Map<TopicPartition, Long> committed = kafka.committed("outage-group", "posts-outage");
                if (target.flushes() == 0) { // checked after the read: a commit only follows a successful flush
                    committedDuringOutage.add(committed);
                }
                return pipeline.stats().recordsIn() == 5_000;
            }, WAIT).stop();
        }
        assertThat(committedDuringOutage).isNotEmpty().allSatisfy(committed -> assertThat(committed).isEmpty());
        assertThat(target.stored()).hasSize(5_000);
        assertThat(kafka.committed("outage-group", "posts-outage")).isEqualTo(kafka.endOffsets("posts-outage"));
    }

    @Test
    void aTopicPatternReadsEveryMatchingTopic(EmbeddedKafka kafka) throws IOException {
        kafka.createTopic("pin.user", 2);
        kafka.createTopic("pin.geo", 1);
        kafka.createTopic("other.topic", 1);
        kafka.produce("pin.user", 2, List.of("{\"u\":1}", "{\"u\":2}"));
        kafka.produce("pin.geo", 1, List.of("{\"g\":1}"));
        kafka.produce("other.topic", 1, List.of("{\"o\":1}"));
        Options options = Options.of("source", new KafkaSourceFactory().options(), Map.of("topics.regex", "pin\\..*",
                "properties", Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", "regex-group")));
        Pipeline pipeline = toFolder((KafkaSource) new KafkaSourceFactory().create(options, null), dir, 1);

        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 3, WAIT).stop();
        }
        assertThat(sorted(Folders.lines(dir))).containsExactly("{\"g\":1}", "{\"u\":1}", "{\"u\":2}");
    }

    @Test
    void aCommittedOffsetOutOfRangeFollowsAutoOffsetReset(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("posts-reset", 1);
        kafka.produce("posts-reset", 1, values(10));
        kafka.admin().alterConsumerGroupOffsets("reset-group", Map.of(new TopicPartition("posts-reset", 0),
                new org.apache.kafka.clients.consumer.OffsetAndMetadata(1_000))).all().get();
        Pipeline pipeline = toFolder(source(kafka, "reset-group", "posts-reset"), dir, 100);

        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 10, WAIT).stop();
        }
        assertThat(sorted(Folders.lines(dir))).isEqualTo(sorted(values(10)));
        assertThat(kafka.committed("reset-group", "posts-reset")).isEqualTo(kafka.endOffsets("posts-reset"));
    }

    private static java.util.Properties props(EmbeddedKafka kafka) {
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return props;
    }

    /** Sorted copies compare in n log n; AssertJ's any-order comparison is quadratic on 100,000 lines. */
    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().toList();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
