package io.ksf.bench;

import io.ksf.config.ConfigLoader;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.Registry;
import io.ksf.processor.SplitProcessor;
import io.ksf.streams.StreamsPipeline;
import io.ksf.testkit.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * A word count on Kafka Streams two ways, in one run: written by hand against the Streams DSL (the limit), and as
 * a KSF stateful pipeline ({@code split} + {@code count}) from a config. Both read the same lines from the embedded
 * broker, count into an in-memory table with exactly_once_v2, and are timed until the changelog holds the final
 * count of "the".
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar io.ksf.bench.StreamsBench [--lines N] [--children] [--out FILE]
 * </pre>
 */
public final class StreamsBench {
    private static final Pattern WORDS = Pattern.compile(SplitProcessor.WORDS);
    /** The input topic, under the name the WordCountDemo reads. */
    private static final String LINES = "streams-plaintext-input";
    private static final String WORDCOUNT_PEER = "peer: Kafka Streams WordCountDemo (child JVM)";
    private static final String KSF_CHILD = "KSF as a child JVM: split -> count (ksf run)";

    private record Row(String name, long lines, double seconds, double cpuSeconds) {
    }

    private final List<Row> rows = new ArrayList<>();
    private EmbeddedKafka kafka;
    private long expectedThe;
    /** With --children: the WordCountDemo and {@code ksf run} as child JVMs too (benchmarks/streams.sh). */
    private boolean children;

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = Harness.flags(args, Set.of("--children"));
        long lines = Long.parseLong(flags.getOrDefault("--lines", "300000"));
        StreamsBench bench = new StreamsBench();
        bench.children = flags.containsKey("--children");
        String table = bench.run(lines);
        Harness.finish(table, flags, "benchmarks/target/streams-results.md");
    }

    private String run(long lines) throws Exception {
        try (EmbeddedKafka k = EmbeddedKafka.start()) {
            kafka = k;
            kafka.createTopic(LINES, 6);
            String[] paper = paperLines();
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                for (long n = 0; n < lines; n++) {
                    String line = paper[(int) (n % paper.length)];
                    expectedThe += Arrays.stream(WORDS.split(line.toLowerCase(Locale.ROOT))).filter("the"::equals)
                            .count();
                    producer.send(new ProducerRecord<>(LINES, line.getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
            }
            // an unmeasured pass of each first, so the JIT has warmed up for both rows
            bare("warm-bare");
            ksf("warm-ksf");
            measure("limit: word count written by hand on the Kafka Streams DSL", lines, () -> bare("bare-count"));
            measure("KSF split -> count on Kafka Streams", lines, () -> ksf("ksf-count"));
            if (children) {
                peerWordCountDemo(lines);
                ksfChild(lines);
            }
        }
        StringBuilder out = new StringBuilder("| contender | lines/s | CPU s per million lines | vs by hand "
                + "| vs WordCountDemo (rate; CPU per line) |\n|---|---:|---:|---:|---:|\n");
        double limit = rows.get(0).lines() / rows.get(0).seconds();
        Row peer = rows.stream().filter(r -> r.name().equals(WORDCOUNT_PEER)).findFirst().orElse(null);
        for (Row row : rows) {
            double rate = row.lines() / row.seconds();
            String vsPeer = peer == null || !row.name().equals(KSF_CHILD) ? "" : String.format(Locale.ROOT,
                    "%.2f; %.2f", rate / (peer.lines() / peer.seconds()),
                    row.cpuSeconds() / row.lines() / (peer.cpuSeconds() / peer.lines()));
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.2f | %s |%n", row.name(), rate,
                    row.cpuSeconds() / row.lines() * 1_000_000, rate / limit, vsPeer));
        }
        return out.toString();
    }

    private static String[] paperLines() {
        StringBuilder text = new StringBuilder();
        String[] words = "the of and to in a is that for it as was with be by on not he this are or his from at which"
                .split(" ");
        long seed = 42;
        for (int line = 0; line < 5_000; line++) {
            for (int w = 0; w < 6 + line % 9; w++) {
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                text.append(w == 0 ? "" : " ").append(words[(int) ((seed >>> 33) % words.length)]);
            }
            text.append('\n');
        }
        return text.toString().split("\n");
    }

    private void bare(String app) throws InterruptedException {
        kafka.createTopic(app + ".out", 6);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(LINES, Consumed.with(Serdes.ByteArray(), Serdes.String()))
                .flatMapValues(line -> Arrays.stream(WORDS.split(line.toLowerCase(Locale.ROOT)))
                        .filter(word -> !word.isEmpty()).toList())
                .groupBy((key, word) -> word, Grouped.with("word_counts", Serdes.String(), Serdes.String()))
                .count(Materialized.as(Stores.inMemoryKeyValueStore("word_counts")))
                .toStream().mapValues(String::valueOf)
                .to(app + ".out", Produced.with(Serdes.String(), Serdes.String()));
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ksf-bench-streams");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), properties)) {
            streams.start();
            awaitThe(app + ".out", false);
        }
    }

    private void ksf(String app) throws InterruptedException {
        kafka.createTopic(app + ".out", 6);
        PipelinePlan plan = PipelinePlan.resolve(ConfigLoader.create().parse("""
                {"name": "%1$s",
                 "source": {"type": "kafka", "format": "bytes", "topics": ["%3$s"],
                            "properties": {"bootstrap.servers": "%2$s", "group.id": "%1$s"}},
                 "processors": [{"type": "split"}, {"type": "count", "table": "word_counts"}],
                 "target": {"type": "kafka", "topic": "%1$s.out", "properties": {"bootstrap.servers": "%2$s"}}}
                """.formatted(app, kafka.bootstrapServers(), LINES)), Registry.load());
        try (StreamsPipeline pipeline = StreamsPipeline.of(app, plan.parts())) {
            CompletableFuture<Void> run = CompletableFuture.runAsync(pipeline::run);
            awaitThe(app + ".out", true);
            pipeline.close();
            run.join();
        }
    }

    /**
     * The Kafka Streams WordCountDemo ({@code kafka-streams-examples}) as shipped, in a child JVM: its topology,
     * topics and store (RocksDB), its properties file giving the broker, a state folder and the guarantee of KSF's
     * word count (exactly_once_v2); timed from its first output until its group has committed the end offsets.
     */
    private void peerWordCountDemo(long lines) throws Exception {
        kafka.createTopic("streams-wordcount-output", 6);
        Path dir = Files.createTempDirectory("ksf-wordcount-peer-");
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka.bootstrapServers());
        config.put("state.dir", dir.resolve("state").toString());
        config.put("processing.guarantee", "exactly_once_v2");
        Path file = dir.resolve("wordcount.properties");
        try (var out = Files.newOutputStream(file)) {
            config.store(out, "KSF benchmark peer");
        }
        System.gc();
        ChildPeer.Result result = ChildPeer.run("streams", List.of(
                        "org.apache.kafka.streams.examples.wordcount.WordCountDemo", file.toString()), dir, kafka,
                "streams-wordcount", LINES, lines, () -> Harness.recordsIn(kafka, "streams-wordcount-output") > 0, () -> true);
        rows.add(new Row(WORDCOUNT_PEER, lines, result.seconds(), result.cpuSeconds()));
        System.out.printf(Locale.ROOT, "%-60s %,12.0f lines/s (child JVM)%n", WORDCOUNT_PEER,
                lines / result.seconds());
    }

    /** KSF's word count as {@code ksf run} in a child JVM, measured as the peer is. */
    private void ksfChild(long lines) {
        kafka.createTopic("ksf-wordcount.out", 6);
        System.gc();
        ChildPeer.Result result = KsfChild.run(kafka, LINES, lines, "ksf-wordcount", """
                {"name": "ksf-wordcount",
                 "source": {"type": "kafka", "format": "bytes", "topics": ["%2$s"],
                            "properties": {"bootstrap.servers": "%1$s", "group.id": "ksf-wordcount"}},
                 "processors": [{"type": "split"}, {"type": "count", "table": "word_counts"}],
                 "target": {"type": "kafka", "topic": "ksf-wordcount.out",
                            "properties": {"bootstrap.servers": "%1$s"}}}
                """.formatted(kafka.bootstrapServers(), LINES), () -> Harness.recordsIn(kafka, "ksf-wordcount.out") > 0);
        rows.add(new Row(KSF_CHILD, lines, result.seconds(), result.cpuSeconds()));
        System.out.printf(Locale.ROOT, "%-60s %,12.0f lines/s (child JVM)%n", KSF_CHILD, lines / result.seconds());
    }

    /** Waits until the output topic's last update of "the" carries the final count. */
    private void awaitThe(String topic, boolean json) {
        String goal = json ? "{\"key\":\"the\",\"count\":" + expectedThe + "}" : Long.toString(expectedThe);
        while (true) {
            String last = null;
            for (ConsumerRecord<byte[], byte[]> record : kafka.readCommitted(topic)) {
                if ("the".equals(new String(record.key(), StandardCharsets.UTF_8))) {
                    last = new String(record.value(), StandardCharsets.UTF_8);
                }
            }
            if (goal.equals(last)) {
                return;
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }

    private void measure(String name, long lines, Harness.Body body) throws Exception {
        Harness.Measured measured = Harness.measure(body);
        double seconds = measured.seconds();
        rows.add(new Row(name, lines, seconds, measured.cpuSeconds()));
        System.out.printf(Locale.ROOT, "%-60s %,12.0f lines/s%n", name, lines / seconds);
    }
}
