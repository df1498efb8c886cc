package io.ksf.cli;

import io.ksf.file.FileTarget;
import io.ksf.format.json.JsonFormat;
import io.ksf.kafka.KafkaSourceFactory;
import io.ksf.parquet.ParquetFormatFactory;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineSettings;
import io.ksf.pipeline.PipelineStats;
import io.ksf.processor.ValidateProcessor;
import io.ksf.spi.Format;
import io.ksf.spi.Options;
import io.ksf.spi.Source;
import io.ksf.testkit.EmbeddedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Runs the main job with nothing installed: an embedded Kafka broker, sample posts produced to a topic, then
 * Kafka -> validate -> file target, a progress line, and a summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start embedded servers, run a seed's scenario on sample data, print a summary. Scenarios: posts "
                + "(Kafka -> validate -> local folder or S3, the default), papers (S3 objects -> lines -> Kafka), "
                + "wordcount (papers -> lines -> words counted on Kafka Streams), pinterest (HTTP posts -> Kafka "
                + "topics -> S3), kinesis (a Kinesis stream, split mid-run -> Kafka, exactly once; needs Node.js).")
public final class DemoCommand implements Callable<Integer>, KsfCommand.AddedCommand {
    private static final String TOPIC = "pins";
    private static final int PARTITIONS = 6;

    @Option(names = "--scenario", defaultValue = "posts",
            description = "posts, papers, wordcount, pinterest or kinesis (default ${DEFAULT-VALUE})")
    String scenario;

    @Option(names = "--records", defaultValue = "100000",
            description = "how many posts, lines per paper or rows per table (default ${DEFAULT-VALUE}; papers: 20000, "
                    + "wordcount: 2000, pinterest: 100, kinesis: 2000 records)")
    long records;

    @Option(names = "--out", defaultValue = "ksf-out/demo", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--mode", defaultValue = "sync", description = "sync or async (default ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--target", defaultValue = "file",
            description = "file (a local folder) or s3 (an embedded S3 server) (default ${DEFAULT-VALUE})")
    String targetKind;

    @Option(names = "--format", defaultValue = "json",
            description = "json (JSON Lines) or parquet (default ${DEFAULT-VALUE})")
    String formatName;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        boolean given = spec.commandLine().getParseResult().hasMatchedOption("--records");
        if (scenario.equals("papers")) {
            return PapersDemo.run(console, given ? (int) Math.min(records, 10_000_000) : 20_000);
        }
        if (scenario.equals("wordcount")) {
            return WordCountDemo.run(console, given ? (int) Math.min(records, 1_000_000) : 2_000);
        }
        if (scenario.equals("pinterest")) {
            return PinterestDemo.run(console, given ? (int) Math.min(records, 1_000_000) : 100);
        }
        if (scenario.equals("kinesis")) {
            return KinesisDemo.run(console, given ? (int) Math.min(records, 1_000_000) : 2_000);
        }
        if (!scenario.equals("posts")) {
            spec.commandLine().getErr().println("--scenario: expected posts, papers, wordcount, pinterest or kinesis, "
                    + "found \""
                    + scenario + "\"");
            return KsfCommand.BAD_CONFIG;
        }
        if (!mode.equals("sync") && !mode.equals("async")) {
            spec.commandLine().getErr().println("--mode: expected sync or async, found \"" + mode + "\"");
            return KsfCommand.BAD_CONFIG;
        }
        if (!targetKind.equals("file") && !targetKind.equals("s3")) {
            spec.commandLine().getErr().println("--target: expected file or s3, found \"" + targetKind + "\"");
            return KsfCommand.BAD_CONFIG;
        }
        if (!formatName.equals("json") && !formatName.equals("parquet")) {
            spec.commandLine().getErr().println("--format: expected json or parquet, found \"" + formatName + "\"");
            return KsfCommand.BAD_CONFIG;
        }
        deleteRecursively(out);
        Format format = formatName.equals("json") ? new JsonFormat() : parquet(out);
        console.println("starting an embedded Kafka broker ...");
        console.flush();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); DemoStore store = DemoStore.start(targetKind, out)) {
            kafka.createTopic(TOPIC, PARTITIONS);
            long produceStart = System.nanoTime();
            produce(kafka);
            console.printf("produced %,d sample posts to topic '%s' (%d partitions) in %.1f s%n", records, TOPIC,
                    PARTITIONS, (System.nanoTime() - produceStart) / 1e9);
            console.flush();

            Pipeline pipeline = Pipeline.builder()
                    .source(kafkaSource(kafka), new JsonFormat())
                    .processor(new ValidateProcessor(List.of("index", "unique_id", "geo.country"),
                            Map.of("index", "integer", "follower_count", "integer"), null))
                    .target(store.target(format))
                    .deadLetter(new FileTarget(out.resolve("dead-letters"), "", new JsonFormat()))
                    .flushEvery(10_000, 64L << 20, Duration.ofSeconds(10))
                    .mode(PipelineSettings.Mode.valueOf(mode.toUpperCase(Locale.ROOT)))
                    .pollTimeout(Duration.ofMillis(200))
                    .build();
            long started = System.nanoTime();
            CompletableFuture<PipelineStats> run = CompletableFuture.supplyAsync(pipeline::run);
            long lastLine = System.nanoTime();
            while (pipeline.stats().recordsIn() < records && !run.isDone()) {
                Thread.sleep(20);
                if (System.nanoTime() - lastLine > 1_000_000_000L) {
                    lastLine = System.nanoTime();
                    console.printf("  ... %,d / %,d records%n", pipeline.stats().recordsIn(), records);
                    console.flush();
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            pipeline.close();
            PipelineStats stats = run.join();

            long[] objects = store.objectsAndBytes();
            long[] deadObjects = DemoStore.filesAndBytes(out.resolve("dead-letters"));
            boolean allCommitted = kafka.committed("ksf-demo", TOPIC).equals(kafka.endOffsets(TOPIC));
            console.println();
            console.println("KSF demo: Kafka (embedded broker) -> validate -> " + targetKind + " target ("
                    + (formatName.equals("json") ? "JSON Lines" : "Parquet") + "), " + mode + " mode");
            console.printf("  records in        %,d%n", stats.recordsIn());
            console.printf("  written           %,d%n", stats.recordsWritten());
            console.printf("  dead-lettered     %,d (with origin and error, in %d objects)%n",
                    stats.recordsDeadLettered(), deadObjects[0]);
            console.printf("  objects           %,d (%,d bytes)%n", objects[0], objects[1]);
            console.printf("  commits           %,d; committed offsets %s the end offsets%n", stats.commits(),
                    allCommitted ? "equal" : "DO NOT equal");
            console.printf("  time              %.2f s, %,.0f records/s, %.1f MiB/s%n", seconds,
                    stats.recordsIn() / seconds, stats.bytesIn() / seconds / (1 << 20));
            console.printf("  target            %.1f MiB/s of objects written%n", objects[1] / seconds / (1 << 20));
            console.printf("  output            %s%n", store.where());
            console.printf("  dead letters      %s%n", out.resolve("dead-letters").toAbsolutePath());
            if (formatName.equals("parquet")) {
                console.printf("  look at them      duckdb -c \"SELECT geo.country, count(*) FROM read_parquet('%s/**/*"
                        + ".parquet') GROUP BY ALL\"%n", store.where());
            }
            console.flush();
            return stats.recordsIn() == records && allCommitted ? KsfCommand.OK : KsfCommand.FAILED;
        }
    }

    /** The parquet format of the sample posts, from a JSON Schema written beside the output, as a config names it. */
    private static Format parquet(Path out) throws IOException {
        Files.createDirectories(out);
        Path schema = Files.writeString(out.resolve("posts.schema.json"), """
                {"type": "object", "required": ["index", "unique_id"],
                 "properties": {
                   "index": {"type": "integer"}, "unique_id": {"type": "string"}, "title": {"type": "string"},
                   "category": {"type": "string"}, "follower_count": {"type": "integer"},
                   "geo": {"type": "object", "properties": {"latitude": {"type": "number"},
                           "longitude": {"type": "number"}, "country": {"type": "string"}}},
                   "user": {"type": "object", "properties": {"first_name": {"type": "string"},
                            "last_name": {"type": "string"}, "age": {"type": "integer"}}}}}
                """);
        ParquetFormatFactory factory = new ParquetFormatFactory();
        return factory.create(Options.of("format", factory.options(), Map.of("schema", schema.toString())));
    }

    private void produce(EmbeddedKafka kafka) {
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (long n = 0; n < records; n++) {
                producer.send(new ProducerRecord<>(TOPIC, (int) (n % PARTITIONS), null,
                        SamplePosts.post(n, 1000).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static Source kafkaSource(EmbeddedKafka kafka) {
        KafkaSourceFactory factory = new KafkaSourceFactory();
        return factory.create(Options.of("source", factory.options(), Map.of("topics", List.of(TOPIC),
                "properties", Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", "ksf-demo",
                        "max.poll.records", "5000"))), null);
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
