package io.ksf.cli;

import io.ksf.config.ConfigLoader;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.Registry;
import io.ksf.processor.SplitProcessor;
import io.ksf.s3.S3Clients;
import io.ksf.kafka.KafkaTarget;
import io.ksf.s3.S3Source;
import io.ksf.streams.StreamsPipeline;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Seed 002 end to end: three uploads of the same paper to an embedded S3 server, their lines to a topic (KSF's own
 * runtime), and a stateful pipeline on Kafka Streams that counts the words into the table {@code word_counts}, whose
 * changelog is {@code word-count-word_counts-changelog}, as the seed's Faust app names it.
 */
final class WordCountDemo {
    private static final String LINES = "papers.lines";
    private static final String COUNTS = "word-counts";
    private static final String CHANGELOG = "word-count-word_counts-changelog";

    private WordCountDemo() {
    }

    static int run(PrintWriter console, int linesPerPaper) throws Exception {
        console.println("starting an embedded S3 server and Kafka broker ...");
        console.flush();
        EmbeddedS3.useAsDefaultCredentials();
        byte[] paper = PapersDemo.paper(linesPerPaper).getBytes(StandardCharsets.UTF_8);
        long theInOnePaper = Arrays.stream(Pattern.compile(SplitProcessor.WORDS)
                .split(new String(paper, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT)))
                .filter("the"::equals).count();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedS3 s3 = EmbeddedS3.start();
             S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            client.createBucket(b -> b.bucket(PapersDemo.BUCKET));
            kafka.createTopic(LINES, 3);
            kafka.createTopic(COUNTS, 3);
            Properties producer = new Properties();
            producer.put("bootstrap.servers", kafka.bootstrapServers());
            Pipeline loader = Pipeline.builder().name("papers")
                    .source(S3Source.withFileCheckpoint(S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true),
                            new S3Source.Settings(PapersDemo.BUCKET, "papers/", Pattern.compile(".*\\.txt"),
                                    S3Source.Records.LINES, 1 << 20,
                                    Duration.ofMillis(200), Duration.ofSeconds(1), 10_000, 2000),
                            Files.createTempDirectory("ksf-demo-").resolve("checkpoint.json")),
                            new BytesFormat("\n"))
                    .target(KafkaTarget.builder(producer).topic(LINES).noKey().build())
                    .flushEvery(20_000, 64L << 20, Duration.ofMillis(500)).pollTimeout(Duration.ofMillis(200))
                    .build();
            PipelinePlan counting = PipelinePlan.resolve(ConfigLoader.create().parse("""
                    {"name": "word-count",
                     "source": {"type": "kafka", "format": "bytes", "topics": ["%1$s"],
                                "properties": {"bootstrap.servers": "%2$s", "group.id": "word-count"}},
                     "processors": [{"type": "split"}, {"type": "count", "table": "word_counts"}],
                     "target": {"type": "kafka", "topic": "%3$s", "properties": {"bootstrap.servers": "%2$s"}}}
                    """.formatted(LINES, kafka.bootstrapServers(), COUNTS)), Registry.load());
            long started = System.nanoTime();
            try (StreamsPipeline counter = StreamsPipeline.of("word-count", counting.parts())) {
                CompletableFuture<Void> counts = CompletableFuture.runAsync(counter::run);
                CompletableFuture<?> load = CompletableFuture.supplyAsync(loader::run);
                for (int n = 1; n <= 3; n++) {
                    String key = "papers/paper-" + n + ".txt";
                    client.putObject(b -> b.bucket(PapersDemo.BUCKET).key(key), RequestBody.fromBytes(paper));
                    console.printf("uploaded s3://%s/%s (%,d bytes)%n", PapersDemo.BUCKET, key, paper.length);
                    console.flush();
                    long goal = n * theInOnePaper;
                    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                    while (count(kafka, "the") < goal && System.nanoTime() < deadline && !counts.isDone()
                            && !load.isDone()) {
                        Thread.sleep(100);
                    }
                    console.printf("  ... 'the' counted %,d times%n", count(kafka, "the"));
                    console.flush();
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                loader.close();
                load.join(); // throws when the loader failed, with its error
                counter.close();
                counts.join();
                Map<String, Long> table = table(kafka);
                console.println();
                console.println("KSF demo: S3 -> lines -> topic '" + LINES + "' -> split -> count on Kafka Streams");
                console.printf("  papers            3 uploads of the same file (%,d lines each)%n", linesPerPaper);
                console.printf("  words             %,d distinct in table word_counts%n", table.size());
                console.printf("  changelog         %s%n", CHANGELOG);
                console.printf("  'the'             %,d = 3 x %,d (its count in one paper)%n", table.get("the"),
                        theInOnePaper);
                console.println("  top words");
                table.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                                .thenComparing(Map.Entry.comparingByKey())).limit(5)
                        .forEach(e -> console.printf("    %-12s %,d%n", e.getKey(), e.getValue()));
                console.printf("  time              %.2f s%n", seconds);
                console.flush();
                return table.getOrDefault("the", 0L) == 3 * theInOnePaper ? KsfCommand.OK : KsfCommand.FAILED;
            }
        }
    }

    /** The last count of a word in the changelog, 0 while there is none. */
    private static long count(EmbeddedKafka kafka, String word) {
        return table(kafka).getOrDefault(word, 0L);
    }

    /** The changelog read to its end (committed records): the table of counts. */
    private static Map<String, Long> table(EmbeddedKafka kafka) {
        Map<String, Long> table = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> records;
        try {
            records = kafka.readCommitted(CHANGELOG);
        } catch (IllegalStateException e) {
            return table; // not created yet
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
            table.put(new String(record.key(), StandardCharsets.UTF_8),
                    Long.parseLong(new String(record.value(), StandardCharsets.UTF_8)));
        }
        return table;
    }
}
