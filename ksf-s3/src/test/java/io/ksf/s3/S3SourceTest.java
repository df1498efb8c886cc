package io.ksf.s3;

import io.ksf.contract.InMemoryTarget;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.format.csv.CsvFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineStats;
import io.ksf.s3.S3Clients;
import io.ksf.spi.KsfRecord;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.RunningPipeline;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The S3 source against a real S3 API server: what reaches the target, and where a restart resumes. */
@ExtendWith(S3Server.class)
class S3SourceTest {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PAPER = "The cat sat.\nOn the mat.\n\nCaf\u00e9 \u2615 at noon\r\nlast line without break";

    @TempDir
    Path dir;
    private EmbeddedS3 s3;
    private S3Client client;
    private String bucket;

    static {
        EmbeddedS3.useAsDefaultCredentials();
    }

    @BeforeEach
    void bucket(EmbeddedS3 server) {
        s3 = server;
        client = S3Clients.create(EmbeddedS3.REGION, server.endpoint(), true);
        bucket = "papers-" + BUCKETS.incrementAndGet();
        client.createBucket(b -> b.bucket(bucket));
    }

    private void put(String key, byte[] content) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    private void put(String key, String content) {
        put(key, content.getBytes(StandardCharsets.UTF_8));
    }

    private S3Source source(S3Source.Records records, int maxRecordBytes, int lookback) {
        S3Source.Settings settings = new S3Source.Settings(bucket, "in/", Pattern.compile(".*\\.(txt|gz)"),
                records, maxRecordBytes, Duration.ofMillis(50), Duration.ofMillis(200), lookback, 3);
        return S3Source.withS3Checkpoint(S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true), settings,
                "_ksf/checkpoint.json");
    }

    /** Runs a pipeline until the condition holds, then stops it (which flushes and commits). */
    private static PipelineStats run(S3Source source, InMemoryTarget target, InMemoryTarget deadLetters,
                                     BooleanSupplier until) {
        Pipeline pipeline = Pipeline.builder().source(source, new BytesFormat("\n")).target(target)
                .deadLetter(deadLetters).flushEvery(4, 1 << 20, Duration.ofMillis(100)).build();
        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(until, WAIT).stop();
        }
        return pipeline.stats();
    }

    private static List<String> lines(List<KsfRecord> records) {
        return records.stream().map(r -> r.topic() + "/" + r.partition() + "@" + r.offset() + " "
                + new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void threeObjectsOfTheSameContentAreThreeObjectsOfLinesWithTheirByteOrigins() {
        put("in/a.txt", PAPER);
        put("in/b.txt", PAPER);
        put("in/c.txt", PAPER);
        put("in/skipped.pdf", "not matched by key.regex");
        InMemoryTarget target = new InMemoryTarget();

        run(source(S3Source.Records.LINES, 1 << 20, 1000), target, new InMemoryTarget(),
                () -> target.stored().size() == 12);

        List<String> expected = new ArrayList<>();
        for (String key : List.of("in/a.txt", "in/b.txt", "in/c.txt")) {
            expected.addAll(List.of(key + "/0@12 The cat sat.", key + "/0@24 On the mat.",
                    key + "/0@44 Caf\u00e9 \u2615 at noon", key + "/0@67 last line without break"));
        }
        assertThat(lines(target.stored())).containsExactlyElementsOf(expected);
        assertThat(target.stored()).allSatisfy(r -> assertThat(r.header(S3Source.BUCKET_HEADER).text())
                .isEqualTo(bucket));
    }

    @Test
    void aRestartResumesAtTheByteAfterTheLastDurableRecordAndDoesNotReadFinishedObjectsAgain() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            text.append("line ").append(i).append('\n');
        }
        put("in/1.txt", "first object\n");
        put("in/2.txt", text.toString());
        InMemoryTarget first = new InMemoryTarget();
        run(source(S3Source.Records.LINES, 1 << 20, 1000), first, new InMemoryTarget(),
                () -> first.stored().size() >= 30);

        InMemoryTarget second = new InMemoryTarget();
        int remaining = 101 - first.stored().size();
        run(source(S3Source.Records.LINES, 1 << 20, 1000), second, new InMemoryTarget(),
                () -> second.stored().size() >= remaining);

        List<String> all = new ArrayList<>(lines(first.stored()));
        all.addAll(lines(second.stored()));
        assertThat(all).hasSize(101).doesNotHaveDuplicates();
        assertThat(all.get(0)).isEqualTo("in/1.txt/0@12 first object");
        KsfRecord resumedAt = second.stored().get(0);
        KsfRecord lastBefore = first.stored().get(first.stored().size() - 1);
        assertThat(resumedAt.topic()).isEqualTo("in/2.txt");
        assertThat(new String(resumedAt.value(), StandardCharsets.UTF_8))
                .isEqualTo("line " + (first.stored().size() - 1));
        assertThat(lastBefore.offset() + 1 + resumedAt.value().length).isEqualTo(resumedAt.offset());
    }

    @Test
    void anOverwrittenObjectIsReadAgainAsANewGenerationAndALateKeyIsFound() {
        put("in/b.txt", "one\n");
        InMemoryTarget target = new InMemoryTarget();
        S3Source source = source(S3Source.Records.LINES, 1 << 20, 1000);
        run(source, target, new InMemoryTarget(), () -> target.stored().size() == 1);

        put("in/b.txt", "one\ntwo\n");
        put("in/a.txt", "late\n"); // sorts before the key already read
        InMemoryTarget again = new InMemoryTarget();
        run(source(S3Source.Records.LINES, 1 << 20, 1000), again, new InMemoryTarget(),
                () -> again.stored().size() == 3);

        assertThat(lines(target.stored())).containsExactly("in/b.txt/0@3 one");
        assertThat(lines(again.stored())).containsExactly("in/a.txt/0@4 late", "in/b.txt/1@3 one", "in/b.txt/1@7 two");
    }

    @Test
    void aLineLongerThanTheLimitGoesToTheDeadLettersWhileTheRestArrive() {
        put("in/long.txt", "short\n" + "x".repeat(100) + "\nafter\n");
        InMemoryTarget target = new InMemoryTarget();
        InMemoryTarget dead = new InMemoryTarget();

        PipelineStats stats = run(source(S3Source.Records.LINES, 10, 1000), target, dead,
                () -> target.stored().size() == 2 && dead.stored().size() == 1);

        assertThat(lines(target.stored())).containsExactly("in/long.txt/0@5 short", "in/long.txt/0@112 after");
        assertThat(dead.stored().get(0).offset()).isEqualTo(106);
        assertThat(new String(dead.stored().get(0).value(), StandardCharsets.UTF_8)).isEqualTo("xxxxxxxxxx");
        assertThat(stats.recordsDeadLettered()).isEqualTo(1);
    }

    @Test
    void csvRowsAreNamedByTheirObjectsHeaderRowAlsoAfterARestartInsideTheObject() {
        StringBuilder csv = new StringBuilder("id,name\r\n");
        for (int i = 0; i < 100; i++) {
            csv.append(i).append(",name ").append(i).append("\r\n");
        }
        put("in/rows.txt", csv.toString());
        InMemoryTarget first = new InMemoryTarget();
        runCsv(first, () -> first.stored().size() >= 30);
        InMemoryTarget second = new InMemoryTarget();
        int remaining = 100 - first.stored().size();
        runCsv(second, () -> second.stored().size() >= remaining);

        List<Object> rows = new ArrayList<>();
        first.stored().forEach(r -> rows.add(r.data()));
        second.stored().forEach(r -> rows.add(r.data()));
        assertThat(rows).hasSize(100);
        assertThat(rows.get(0)).isEqualTo(Map.of("id", "0", "name", "name 0"));
        assertThat(rows.get(99)).isEqualTo(Map.of("id", "99", "name", "name 99"));
        assertThat(second.stored().get(0).offset()).isGreaterThan(20);
    }

    private void runCsv(InMemoryTarget target, BooleanSupplier until) {
        S3Source.Settings settings = new S3Source.Settings(bucket, "in/", null, S3Source.Records.CSV, 1 << 20,
                Duration.ofMillis(50), Duration.ofMillis(200), 1000, 3);
        S3Source source = S3Source.withS3Checkpoint(S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true),
                settings, "_ksf/checkpoint.json");
        Pipeline pipeline = Pipeline.builder().source(source, new CsvFormat(List.of(), false, ','))
                .processor(record -> List.of(record)).target(target)
                .flushEvery(4, 1 << 20, Duration.ofMillis(100)).build();
        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(until, WAIT).stop();
        }
    }

    @Test
    void gzipObjectsAreReadByExtensionWithUncompressedPositions() throws IOException {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write("alpha\nbeta\n".getBytes(StandardCharsets.UTF_8));
        }
        put("in/p.gz", zipped.toByteArray());
        InMemoryTarget target = new InMemoryTarget();

        run(source(S3Source.Records.LINES, 1 << 20, 1000), target, new InMemoryTarget(),
                () -> target.stored().size() == 2);

        assertThat(lines(target.stored())).containsExactly("in/p.gz/0@5 alpha", "in/p.gz/0@10 beta");
    }
}
