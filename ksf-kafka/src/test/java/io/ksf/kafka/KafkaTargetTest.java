package io.ksf.kafka;

import io.ksf.contract.InMemorySource;
import io.ksf.format.csv.CsvFormat;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineSettings;
import io.ksf.spi.ConfigException;
import io.ksf.spi.KsfException;
import io.ksf.spi.Options;
import io.ksf.support.DeadLetters;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kafka target on a real broker: routing, keys, headers, refused records, outages, exactly-once. */
@ExtendWith(KafkaBroker.class)
class KafkaTargetTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static KafkaSource source(EmbeddedKafka kafka, String group, String... topics) {
        Options options = Options.of("source", new KafkaSourceFactory().options(), Map.of("topics", List.of(topics),
                "properties", Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", group)));
        return (KafkaSource) new KafkaSourceFactory().create(options, null);
    }

    private static Properties producer(EmbeddedKafka kafka) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return props;
    }

    private static void send(EmbeddedKafka kafka, String topic, int partition, String key, String value,
                             String... headers) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition,
                    key == null ? null : key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < headers.length; i += 2) {
                record.headers().add(new RecordHeader(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8)));
            }
            producer.send(record).get();
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        return record.headers().lastHeader(key) == null ? null : text(record.headers().lastHeader(key).value());
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> text(r.value())).toList();
    }

    private static void runUntil(Pipeline pipeline, java.util.function.BooleanSupplier done) {
        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(done, WAIT).stop();
        }
    }

    @Test
    void aTemplateRoutesBySourceTopicAndKeysHeadersAndTimestampsCarryOver(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("orders", 1);
        kafka.createTopic("orders.curated", 1);
        send(kafka, "orders", 0, "k-1", "{\"id\":1}", "trace", "t-1");
        send(kafka, "orders", 0, null, "{\"id\":2}");
        KafkaTarget target = KafkaTarget.builder(producer(kafka)).topic("${topic}.curated").format(new JsonFormat())
                .originHeaders(true).build();
        Pipeline pipeline = Pipeline.builder().source(source(kafka, "template-group", "orders"), new JsonFormat())
                .target(target).flushEvery(1, 1 << 20, Duration.ofSeconds(1)).build();

        runUntil(pipeline, () -> kafka.committed("template-group", "orders").equals(kafka.endOffsets("orders")));

        List<ConsumerRecord<byte[], byte[]>> in = kafka.read("orders");
        List<ConsumerRecord<byte[], byte[]>> out = kafka.read("orders.curated");
        assertThat(values(out)).containsExactly("{\"id\":1}", "{\"id\":2}");
        assertThat(text(out.get(0).key())).isEqualTo("k-1");
        assertThat(out.get(1).key()).isNull();
        assertThat(header(out.get(0), "trace")).isEqualTo("t-1");
        assertThat(header(out.get(0), DeadLetters.ORIGIN_TOPIC)).isEqualTo("orders");
        assertThat(header(out.get(1), DeadLetters.ORIGIN_OFFSET)).isEqualTo("1");
        assertThat(out.get(0).timestamp()).isEqualTo(in.get(0).timestamp());
    }

    @Test
    void aFieldRoutesAndKeysEachRecordAndUnroutableRecordsBecomeDeadLetters(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("posts-mixed", 1);
        kafka.createTopic("mixed.pin", 2);
        kafka.createTopic("mixed.geo", 1);
        kafka.createTopic("mixed-dlq", 1);
        List<String> input = List.of("{\"t\":\"mixed.pin\",\"u\":{\"id\":7},\"n\":1}",
                "{\"t\":\"mixed.geo\",\"u\":{\"id\":8},\"n\":2}",
                "{\"u\":{\"id\":9},\"n\":3}",
                "{\"t\":\"mixed.nowhere\",\"u\":{\"id\":10},\"n\":4}",
                "{\"t\":\"mixed.pin\",\"u\":{\"id\":7},\"n\":5}",
                "{\"t\":\"mixed.pin\",\"n\":6}");
        kafka.produce("posts-mixed", 1, input);
        KafkaTarget target = KafkaTarget.builder(producer(kafka)).topicField("t").keyField("u.id")
                .format(new JsonFormat()).build();
        Pipeline pipeline = Pipeline.builder().source(source(kafka, "field-group", "posts-mixed"), new JsonFormat())
                .target(target).deadLetter(KafkaTarget.deadLetters(producer(kafka), "mixed-dlq"))
                .flushEvery(100, 1 << 20, Duration.ofMillis(500)).build();
        long start = System.nanoTime();

        runUntil(pipeline, () -> kafka.committed("field-group", "posts-mixed").equals(kafka.endOffsets("posts-mixed")));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        List<ConsumerRecord<byte[], byte[]>> pins = kafka.read("mixed.pin");
        assertThat(values(pins)).containsExactlyInAnyOrder(input.get(0), input.get(4));
        assertThat(pins).allSatisfy(r -> assertThat(text(r.key())).isEqualTo("7"));
        assertThat(pins.get(0).partition()).isEqualTo(pins.get(1).partition()); // one key, one partition
        assertThat(values(kafka.read("mixed.geo"))).containsExactly(input.get(1));
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.read("mixed-dlq");
        Map<String, String> reasons = new TreeMap<>();
        dead.forEach(r -> reasons.put(text(r.value()), header(r, DeadLetters.ERROR_MESSAGE)));
        assertThat(reasons).containsOnlyKeys(input.get(2), input.get(3), input.get(5));
        assertThat(reasons.get(input.get(2))).isEqualTo("topic field 't' is missing");
        assertThat(reasons.get(input.get(3))).contains("topic mixed.nowhere does not exist");
        assertThat(reasons.get(input.get(5))).isEqualTo("key field 'u.id' is missing");
    }

    @Test
    void aRecordTheBrokerRefusesIsDeadLetteredWhileItsBatchMatesAreStored(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("posts-keys", 1);
        kafka.createTopic("by-key", 1, Map.of("cleanup.policy", "compact")); // refuses records without a key
        kafka.createTopic("keys-dlq", 1);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int n = 0; n < 50; n++) {
                byte[] key = n == 20 ? null : ("k" + n).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>("posts-keys", 0, key, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)));
            }
        }
        Pipeline pipeline = Pipeline.builder().source(source(kafka, "keys-group", "posts-keys"), new JsonFormat())
                .target(KafkaTarget.builder(producer(kafka)).topic("by-key").build())
                .deadLetter(KafkaTarget.deadLetters(producer(kafka), "keys-dlq"))
                .flushEvery(1_000, 1 << 20, Duration.ofMillis(500)).build();

        runUntil(pipeline, () -> kafka.committed("keys-group", "posts-keys").equals(kafka.endOffsets("posts-keys")));

        List<String> stored = new ArrayList<>(IntStream.range(0, 50).mapToObj(n -> "{\"n\":" + n + "}").toList());
        stored.remove(20);
        assertThat(new java.util.TreeSet<>(values(kafka.read("by-key")))).isEqualTo(new java.util.TreeSet<>(stored));
        assertThat(kafka.read("by-key")).hasSize(49);
        assertThat(kafka.read("keys-dlq")).singleElement().satisfies(r -> {
            assertThat(text(r.value())).isEqualTo("{\"n\":20}");
            assertThat(header(r, DeadLetters.ORIGIN_OFFSET)).isEqualTo("20");
            assertThat(header(r, DeadLetters.ERROR_MESSAGE)).startsWith("Kafka refused the record for topic by-key");
        });
    }

    @Test
    void aRecordTooLargeForItsTopicIsDeadLetteredBeforeItIsSent(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("posts-sizes", 1);
        kafka.createTopic("small-only", 1, Map.of("max.message.bytes", "20000"));
        kafka.createTopic("sizes-dlq", 1);
        List<String> input = new ArrayList<>(IntStream.range(0, 50).mapToObj(n -> "{\"n\":" + n + "}").toList());
        input.set(20, "{\"n\":20,\"big\":\"" + "x".repeat(30_000) + "\"}");
        kafka.produce("posts-sizes", 1, input);
        Pipeline pipeline = Pipeline.builder().source(source(kafka, "sizes-group", "posts-sizes"), new JsonFormat())
                .target(KafkaTarget.builder(producer(kafka)).topic("small-only").build())
                .deadLetter(KafkaTarget.deadLetters(producer(kafka), "sizes-dlq"))
                .flushEvery(1_000, 1 << 20, Duration.ofMillis(500)).build();

        runUntil(pipeline, () -> kafka.committed("sizes-group", "posts-sizes").equals(kafka.endOffsets("posts-sizes")));

        List<String> stored = new ArrayList<>(input);
        stored.remove(20);
        assertThat(values(kafka.read("small-only"))).isEqualTo(stored);
        assertThat(kafka.read("sizes-dlq")).singleElement().satisfies(r -> {
            assertThat(text(r.value())).isEqualTo(input.get(20));
            assertThat(header(r, DeadLetters.ERROR_MESSAGE)).startsWith("the record needs up to 30")
                    .endsWith("more than topic small-only takes (max.message.bytes 20000)");
        });
    }

    @Test
    void csvIsReencodedAsJsonWithTheTargetsFormat(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("rows-csv", 1);
        kafka.createTopic("rows-json", 1);
        kafka.produce("rows-csv", 1, List.of("1,ana", "2,\"bo, b\""));
        Pipeline pipeline = Pipeline.builder()
                .source(source(kafka, "csv-group", "rows-csv"), new CsvFormat(List.of("id", "name"), false, ','))
                .target(KafkaTarget.builder(producer(kafka)).topic("rows-json").format(new JsonFormat()).build())
                .flushEvery(10, 1 << 20, Duration.ofMillis(500)).build();

        runUntil(pipeline, () -> kafka.committed("csv-group", "rows-csv").equals(kafka.endOffsets("rows-csv")));

        assertThat(values(kafka.read("rows-json"))).containsExactly("{\"id\":\"1\",\"name\":\"ana\"}",
                "{\"id\":\"2\",\"name\":\"bo, b\"}");
    }

    @Test
    void nothingIsCommittedWhileTheTargetClusterIsDownAndEverythingArrivesAfter(EmbeddedKafka kafka) {
        kafka.createTopic("posts-far", 2);
        try (EmbeddedKafka far = EmbeddedKafka.start()) {
            far.createTopic("copies", 2);
            kafka.produce("posts-far", 2, IntStream.range(0, 100).mapToObj(n -> "{\"n\":" + n + "}").toList());
            Pipeline pipeline = Pipeline.builder().source(source(kafka, "far-group", "posts-far"), new JsonFormat())
                    .target(KafkaTarget.builder(producer(far)).topic("copies").build())
                    .flushEvery(50, 1 << 20, Duration.ofMillis(300)).build();
            try (RunningPipeline running = RunningPipeline.start(pipeline)) {
                running.awaitUntil(() -> kafka.committed("far-group", "posts-far").equals(kafka.endOffsets("posts-far")),
                        WAIT);
                far.stop();
                kafka.produce("posts-far", 2, IntStream.range(100, 400).mapToObj(n -> "{\"n\":" + n + "}").toList());
                long outageEnd = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                List<Map<org.apache.kafka.common.TopicPartition, Long>> seen = new ArrayList<>();
                while (System.nanoTime() < outageEnd) {
                    seen.add(kafka.committed("far-group", "posts-far"));
                }
                assertThat(pipeline.stats().recordsIn()).isGreaterThan(100); // read during the outage, not committed
                assertThat(seen).allSatisfy(committed -> assertThat(committed.values()).containsOnly(50L));
                far.restart();
                running.awaitUntil(() -> kafka.committed("far-group", "posts-far").equals(kafka.endOffsets("posts-far")),
                        WAIT).stop();
            }
            assertThat(new java.util.TreeSet<>(values(far.read("copies"))))
                    .isEqualTo(new java.util.TreeSet<>(IntStream.range(0, 400).mapToObj(n -> "{\"n\":" + n + "}").toList()));
        }
    }

    @Test
    void exactlyOnceCommitsOffsetsInTheTransactionAndRefusedRecordsStillGoToTheDeadLetters(EmbeddedKafka kafka)
            throws Exception {
        kafka.createTopic("eos-in", 3);
        kafka.createTopic("eos-out", 3, Map.of("cleanup.policy", "compact"));
        kafka.createTopic("eos-dlq", 1);
        List<String> expected = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int n = 0; n < 3_000; n++) {
                String value = "{\"n\":" + n + "}";
                byte[] key = n == 1_234 ? null : ("k" + n).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>("eos-in", n % 3, key, value.getBytes(StandardCharsets.UTF_8)));
                if (n != 1_234) {
                    expected.add(value);
                }
            }
        }
        KafkaTarget target = KafkaTarget.builder(producer(kafka)).topic("eos-out").exactlyOnce(true).build();
        Pipeline pipeline = Pipeline.builder().source(source(kafka, "eos-group", "eos-in"), new JsonFormat())
                .target(target).deadLetter(KafkaTarget.deadLetters(producer(kafka), "eos-dlq"))
                .flushEvery(500, 1 << 20, Duration.ofMillis(500)).build();

        runUntil(pipeline, () -> kafka.committed("eos-group", "eos-in").equals(kafka.endOffsets("eos-in")));

        List<ConsumerRecord<byte[], byte[]>> committed = kafka.readCommitted("eos-out");
        assertThat(new java.util.TreeSet<>(values(committed))).isEqualTo(new java.util.TreeSet<>(expected));
        assertThat(committed).hasSize(expected.size());
        assertThat(values(kafka.read("eos-dlq"))).containsExactly("{\"n\":1234}");
        // the transaction that held the refused record was aborted and its other records sent again
        assertThat(kafka.read("eos-out").size()).isGreaterThan(expected.size());
    }

    @Test
    void exactlyOnceNeedsAKafkaSourceOnTheSameCluster(EmbeddedKafka kafka) {
        KafkaTarget target = KafkaTarget.builder(producer(kafka)).topic("x").exactlyOnce(true).build();
        assertThatThrownBy(() -> Pipeline.builder().source(new InMemorySource(List.of()), new JsonFormat()).target(target)
                .build()).isInstanceOf(KsfException.class).hasMessageContaining("needs a kafka source");
        Properties elsewhere = new Properties();
        elsewhere.put("bootstrap.servers", "127.0.0.1:1");
        KafkaTarget far = KafkaTarget.builder(elsewhere).topic("x").exactlyOnce(true).build();
        assertThatThrownBy(() -> Pipeline.builder().source(source(kafka, "g", "x"), new JsonFormat()).target(far)
                .build()).hasMessageContaining("on one Kafka cluster");
        target.close();
        far.close();
    }

    @Test
    void aFixedTopicThatDoesNotExistStopsThePipelineAtStartNamingIt(EmbeddedKafka kafka) {
        kafka.createTopic("posts-lost", 1);
        Pipeline pipeline = Pipeline.builder().source(source(kafka, "lost-group", "posts-lost"), new JsonFormat())
                .target(KafkaTarget.builder(producer(kafka)).topic("no-such-topic").build())
                .settings(PipelineSettings.defaults().withStartupTimeout(Duration.ofSeconds(2))).build();
        long start = System.nanoTime();

        assertThat(RunningPipeline.start(pipeline).failure()).hasMessageContaining("topic no-such-topic")
                .hasMessageContaining("does not exist on the cluster");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void theFactoryNamesEachBadOption() {
        KafkaTargetFactory factory = new KafkaTargetFactory();
        Map<String, Object> bad = new HashMap<>();
        bad.put("topic", "out.${value}");
        bad.put("topic.field", "t");
        bad.put("key", "field");
        bad.put("properties", Map.of("group.id", "g"));
        assertThatThrownBy(() -> factory.check(Options.of("target", factory.options(), bad)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("target: expected exactly one of topic, topic.field")
                .hasMessageContaining("target.topic: expected a topic name or a template with ${topic}, found "
                        + "\"out.${value}\"")
                .hasMessageContaining("target.key.field: missing")
                .hasMessageContaining("target.properties.bootstrap.servers: missing");
    }
}
