package io.ksf.docdb;

import io.ksf.config.ConfigLoader;
import io.ksf.config.PipelineConfig;
import io.ksf.contract.DelegatingSource;
import io.ksf.contract.InMemoryTarget;
import io.ksf.contract.Wait;
import io.ksf.format.json.JsonFormat;
import io.ksf.kafka.KafkaSourceFactory;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.Registry;
import io.ksf.spi.Options;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedMongo;
import io.ksf.testkit.FaultProxy;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.MongoWireServer;
import io.ksf.testkit.RunningPipeline;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka -> DocumentDB on a real broker and a MongoDB-wire server. */
@ExtendWith({KafkaBroker.class, MongoWireServer.class})
class KafkaToDocDbTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static List<String> posts(int count) {
        return IntStream.range(0, count).mapToObj(n -> "{\"pin\":" + n + ",\"user\":{\"name\":\"u" + n % 7 + "\"}}")
                .toList();
    }

    private static Source source(EmbeddedKafka kafka, String topic, String group) {
        KafkaSourceFactory factory = new KafkaSourceFactory();
        return factory.create(Options.of("source", factory.options(), Map.of("topics", List.of(topic),
                "properties", Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", group))), null);
    }

    private static void run(Pipeline pipeline, long records) {
        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == records, WAIT).stop();
        }
    }

    @Test
    void everyRecordBecomesOneDocumentAndAReplayLeavesTheCountUnchanged(EmbeddedKafka kafka, EmbeddedMongo mongo) {
        kafka.createTopic("pins-docdb", 2);
        kafka.produce("pins-docdb", 2, posts(1_000));
        String database = Collections.newDatabase("pins");

        for (String group : List.of("first-run", "replay")) {
            run(Pipeline.builder().source(source(kafka, "pins-docdb", group), new JsonFormat())
                    .target(Collections.target(mongo, database, null, 100))
                    .flushEvery(250, 1 << 20, Duration.ofHours(1)).build(), 1_000);
        }

        // value n went to partition n % 2 at offset n / 2: each document holds the value read at its _id's position
        Map<Object, String> expected = new java.util.HashMap<>();
        List<String> posts = posts(1_000);
        for (int n = 0; n < posts.size(); n++) {
            expected.put("pins-docdb-" + n % 2 + "-" + n / 2, posts.get(n));
        }
        Map<Object, String> stored = new java.util.HashMap<>();
        for (Document document : Collections.documents(mongo, database, "docs")) {
            assertThat(stored.put(document.get("_id"), Collections.json(document))).as("a second document with one _id")
                    .isNull();
        }
        assertThat(stored).isEqualTo(expected);
        assertThat(stored.get("pins-docdb-1-3")).isEqualTo("{\"pin\":7,\"user\":{\"name\":\"u0\"}}");
        assertThat(kafka.committed("replay", "pins-docdb")).isEqualTo(kafka.endOffsets("pins-docdb"));
    }

    @Test
    void anIdFieldMakesTheBusinessKeyTheId(EmbeddedKafka kafka, EmbeddedMongo mongo) {
        kafka.createTopic("pins-by-id", 1);
        kafka.produce("pins-by-id", 1, posts(10));
        String database = Collections.newDatabase("byid");

        run(Pipeline.builder().source(source(kafka, "pins-by-id", "by-id"), new JsonFormat())
                .target(Collections.target(mongo, database, "pin", 4)).build(), 10);

        assertThat(Collections.documents(mongo, database, "docs")).extracting(d -> d.get("_id"))
                .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void aRefusedDocumentIsDeadLetteredWhileItsBatchMatesAreStored(EmbeddedKafka kafka, EmbeddedMongo mongo) {
        kafka.createTopic("pins-bad", 1);
        List<String> values = new java.util.ArrayList<>(posts(10));
        values.set(4, "{\"pin\":4,\"$where\":\"evil\"}");
        values.set(6, "{\"pin\":6,");
        values.set(8, "{\"pin\":8,\"tags\":[{\"a\\u0000b\":1}]}"); // BSON cannot hold the name, even in an array
        kafka.produce("pins-bad", 1, values);
        String database = Collections.newDatabase("bad");
        InMemoryTarget deadLetters = new InMemoryTarget();

        run(Pipeline.builder().source(source(kafka, "pins-bad", "bad"), new JsonFormat())
                .target(Collections.target(mongo, database, null, 10)).deadLetter(deadLetters).build(), 10);

        assertThat(Collections.documents(mongo, database, "docs")).hasSize(7)
                .noneMatch(d -> d.get("_id").equals("pins-bad-0-4") || d.get("_id").equals("pins-bad-0-6")
                        || d.get("_id").equals("pins-bad-0-8"));
        assertThat(deadLetters.stored()).satisfiesExactly(dead -> {
            assertThat(dead.offset()).isEqualTo(4);
            assertThat(dead.header("ksf.error.message").text()).contains("invalid field name '$where'");
        }, dead -> {
            assertThat(dead.offset()).isEqualTo(6);
            assertThat(new String(dead.value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"pin\":6,");
            assertThat(dead.header("ksf.error.message").text()).contains("not valid JSON");
        }, dead -> {
            assertThat(dead.offset()).isEqualTo(8);
            assertThat(dead.header("ksf.error.message").text()).contains("invalid field name 'tags.a");
        });
        assertThat(kafka.committed("bad", "pins-bad")).isEqualTo(kafka.endOffsets("pins-bad"));
    }

    @Test
    void offsetsAreCommittedOnlyAfterTheBulkWriteEvenThroughANetworkOutage(EmbeddedKafka kafka, EmbeddedMongo mongo) {
        kafka.createTopic("pins-outage", 1);
        kafka.produce("pins-outage", 1, posts(600));
        String database = Collections.newDatabase("outage");
        List<String> violations = new CopyOnWriteArrayList<>();
        try (FaultProxy proxy = FaultProxy.start(java.net.URI.create(mongo.connectionString().replace("mongodb", "tcp")))) {
            com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(com.mongodb.MongoClientSettings
                    .builder().applyConnectionString(new com.mongodb.ConnectionString("mongodb://127.0.0.1:"
                            + proxy.endpoint().getPort()))
                    .applyToClusterSettings(c -> c.serverSelectionTimeout(2, java.util.concurrent.TimeUnit.SECONDS))
                    .applyToSocketSettings(s -> s.connectTimeout(2, java.util.concurrent.TimeUnit.SECONDS)).build());
            DocDbTarget target = new DocDbTarget(client, client.getDatabase(database).getCollection("docs"), null, 50,
                    new io.ksf.support.Retry(Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofMillis(500)));
            Source watched = new CommitWatcher(source(kafka, "pins-outage", "outage"), positions -> {
                long committed = positions.asMap().values().stream().mapToLong(Long::longValue).sum();
                long stored = Collections.documents(mongo, database, "docs").size();
                if (stored < committed) {
                    violations.add("committed " + committed + " with " + stored + " documents stored");
                }
            });
            Pipeline pipeline = Pipeline.builder().source(watched, new JsonFormat()).target(target)
                    .flushEvery(200, 1 << 20, Duration.ofSeconds(1)).build();

            proxy.failFor(FaultProxy.Fault.RESET, Duration.ofSeconds(3));
            try (RunningPipeline running = RunningPipeline.start(pipeline)) {
                Wait.until(() -> proxy.faulted() >= 2, Duration.ofSeconds(30), "connections to fail");
                assertThat(kafka.committed("outage", "pins-outage")).isEmpty();
                running.awaitUntil(() -> kafka.committed("outage", "pins-outage")
                        .equals(kafka.endOffsets("pins-outage")), WAIT).stop();
            }
        }
        assertThat(violations).isEmpty();
        assertThat(Collections.documents(mongo, database, "docs")).hasSize(600);
    }

    @Test
    void theSeedsHashingPipelineRunsEndToEndFromItsConfigFile(EmbeddedKafka kafka, EmbeddedMongo mongo)
            throws Exception {
        kafka.createTopic("MyTopic", 1);
        List<String> messages = List.of("hello", "{\"card\":\"4111-1111-1111-1111\"}", "plain text");
        kafka.produce("MyTopic", 1, messages);
        Map<String, String> environment = Map.of("KAFKA_BOOTSTRAP", kafka.bootstrapServers(),
                "DOCDB_URI", mongo.connectionString());
        PipelineConfig config = ConfigLoader.withEnvironment(environment::get)
                .load(Path.of("../ksf-examples/configs/kafka-md5-docdb.json"));

        run(PipelinePlan.resolve(config, Registry.load()).build(), 3);

        MessageDigest md5 = MessageDigest.getInstance("MD5");
        List<String> expected = messages.stream().map(m -> "{\"hashed\":\"" + HexFormat.of()
                .formatHex(md5.digest(m.getBytes(StandardCharsets.UTF_8))) + "\"}").toList();
        assertThat(Collections.documents(mongo, "kafka", "hashed")).extracting(Collections::json)
                .containsExactlyElementsOf(expected);
        assertThat(Collections.documents(mongo, "kafka", "hashed").get(0).get("_id")).isEqualTo("MyTopic-0-0");
        assertThat(expected.get(0)).isEqualTo("{\"hashed\":\"5d41402abc4b2a76b9719d911017c592\"}");
    }

    /** Checks every commit before it happens. */
    private static final class CommitWatcher extends DelegatingSource {
        private final java.util.function.Consumer<Positions> check;

        CommitWatcher(Source delegate, java.util.function.Consumer<Positions> check) {
            super(delegate);
            this.check = check;
        }

        @Override
        public void commit(Positions positions) {
            check.accept(positions);
            super.commit(positions);
        }
    }
}
