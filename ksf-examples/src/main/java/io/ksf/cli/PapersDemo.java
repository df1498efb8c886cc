package io.ksf.cli;

import io.ksf.format.bytes.BytesFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineStats;
import io.ksf.s3.S3Clients;
import io.ksf.kafka.KafkaTarget;
import io.ksf.s3.S3Source;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Seed 002's loader, with nothing installed: an embedded S3 server and broker, three text files of the same content
 * uploaded one after the other under {@code papers/}, and the {@code s3} source feeding their lines to a topic.
 */
final class PapersDemo {
    static final String BUCKET = "papers";
    static final String TOPIC = "papers.lines";
    private static final int PAPERS = 3;
    private static final String[] WORDS = ("the of and to in a is that for it as was with be by on not he this are or "
            + "his from at which but have an they you were her she there one all we their been has more if will "
            + "would so no what up out when who can do said about into than them only other time new some could "
            + "stream kafka record offset partition broker consumer producer object bucket byte line paper").split(" ");

    private PapersDemo() {
    }

    /** A paper of {@code lines} lines, the same every time, about 60 bytes a line. */
    static String paper(int lines) {
        StringBuilder text = new StringBuilder(lines * 64);
        long seed = 42;
        for (int line = 0; line < lines; line++) {
            int words = 6 + line % 9;
            for (int w = 0; w < words; w++) {
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                text.append(w == 0 ? "" : " ").append(WORDS[(int) ((seed >>> 33) % WORDS.length)]);
            }
            text.append(line % 25 == 24 ? "\n\n" : "\n"); // paragraphs: blank lines are skipped
        }
        return text.toString();
    }

    static int run(PrintWriter console, int lines) throws Exception {
        console.println("starting an embedded S3 server and Kafka broker ...");
        console.flush();
        EmbeddedS3.useAsDefaultCredentials();
        String paper = paper(lines);
        byte[] bytes = paper.getBytes(StandardCharsets.UTF_8);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedS3 s3 = EmbeddedS3.start();
             S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            client.createBucket(b -> b.bucket(BUCKET));
            kafka.createTopic(TOPIC, 3);
            S3Source.Settings settings = new S3Source.Settings(BUCKET, "papers/", Pattern.compile(".*\\.txt"),
                    S3Source.Records.LINES,
                    1 << 20, Duration.ofMillis(200), Duration.ofSeconds(1), 10_000, 2000);
            Properties producer = new Properties();
            producer.put("bootstrap.servers", kafka.bootstrapServers());
            Pipeline pipeline = Pipeline.builder().name("papers")
                    .source(S3Source.withS3Checkpoint(S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true),
                            settings, "_ksf/checkpoints/papers.json"), new BytesFormat("\n"))
                    .target(KafkaTarget.builder(producer).topic(TOPIC).noKey().build())
                    .flushEvery(20_000, 64L << 20, Duration.ofMillis(500))
                    .pollTimeout(Duration.ofMillis(200))
                    .build();
            long started = System.nanoTime();
            CompletableFuture<PipelineStats> run = CompletableFuture.supplyAsync(pipeline::run);
            long expected = 0;
            for (int n = 1; n <= PAPERS; n++) {
                String key = "papers/paper-" + n + ".txt";
                client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
                expected += paper.lines().filter(line -> !line.isEmpty()).count();
                console.printf("uploaded s3://%s/%s (%,d bytes)%n", BUCKET, key, bytes.length);
                console.flush();
                long goal = expected;
                while (pipeline.stats().recordsIn() < goal && !run.isDone()) {
                    Thread.sleep(20);
                }
                console.printf("  ... %,d lines read%n", pipeline.stats().recordsIn());
                console.flush();
            }
            long goal = expected;
            double seconds = (System.nanoTime() - started) / 1e9;
            pipeline.close();
            PipelineStats stats = run.join();
            long inTopic = kafka.endOffsets(TOPIC).values().stream().mapToLong(Long::longValue).sum();
            console.println();
            console.println("KSF demo: S3 objects (embedded S3 server) -> lines -> Kafka topic '" + TOPIC + "'");
            console.printf("  objects           %d (the same content under %d keys: %d objects)%n", PAPERS, PAPERS,
                    PAPERS);
            console.printf("  bytes             %,d%n", (long) bytes.length * PAPERS);
            console.printf("  lines             %,d read, %,d written (blank lines skipped)%n", stats.recordsIn(),
                    stats.recordsWritten());
            console.printf("  records in topic  %,d%n", inTopic);
            console.printf("  commits           %,d (checkpoint s3://%s/_ksf/checkpoints/papers.json)%n",
                    stats.commits(), BUCKET);
            console.printf("  time              %.2f s, %,.0f lines/s%n", seconds, stats.recordsIn() / seconds);
            console.flush();
            return stats.recordsIn() == goal && inTopic == goal ? KsfCommand.OK : KsfCommand.FAILED;
        }
    }
}
