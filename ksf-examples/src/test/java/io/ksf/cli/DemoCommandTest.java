package io.ksf.cli;

import io.ksf.processor.SplitProcessor;
import io.ksf.testkit.KinesisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {
    @TempDir
    Path dir;

    private static long lines(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            long count = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                count += Files.readAllLines(file).size();
            }
            return count;
        }
    }

    @Test
    void theDemoReadsTheEmbeddedBrokerWritesEveryValidPostAndDeadLettersTheRest() throws IOException {
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));

        int exit = commandLine.execute("demo", "--records", "5000", "--out", dir.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("records in        5,000", "written           4,995",
                "dead-lettered     5", "committed offsets equal the end offsets",
                "output            " + dir.resolve("pins").toAbsolutePath());
        assertThat(lines(dir.resolve("pins"))).isEqualTo(4995);
        assertThat(lines(dir.resolve("dead-letters"))).isEqualTo(5);
        try (Stream<Path> files = Files.walk(dir.resolve("pins"))) {
            List<String> names = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(names).hasSize(6).first().isEqualTo("pins+0+00000000000000000000.json");
        }
    }

    @Test
    void theDemoRunsInAsyncModeToo() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));

        int exit = commandLine.execute("demo", "--records", "3000", "--mode", "async", "--out", dir.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("async mode", "records in        3,000", "dead-lettered     3",
                "committed offsets equal the end offsets");
    }

    @Test
    void theDemoWritesToAnEmbeddedS3Server() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));

        int exit = commandLine.execute("demo", "--records", "3000", "--target", "s3", "--out", dir.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("s3 target", "written           2,997", "objects           6 (",
                "committed offsets equal the end offsets", "output            s3://ksf-demo/curated/pins/");
    }

    @Test
    void theDemoWritesParquetWhenAsked() throws IOException {
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));

        int exit = commandLine.execute("demo", "--records", "3000", "--format", "parquet", "--out", dir.toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("file target (Parquet)", "written           2,997",
                "committed offsets equal the end offsets", "look at them      duckdb -c");
        try (Stream<Path> files = Files.walk(dir.resolve("pins"))) {
            List<Path> objects = files.filter(Files::isRegularFile).toList();
            assertThat(objects).isNotEmpty().allMatch(file -> file.toString().endsWith(".parquet"));
            for (Path object : objects) {
                byte[] bytes = Files.readAllBytes(object);
                assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("PAR1");
                assertThat(new String(bytes, bytes.length - 4, 4, StandardCharsets.US_ASCII)).isEqualTo("PAR1");
            }
        }
    }

    @Test
    void thePapersScenarioFeedsTheLinesOfThreeUploadsOfTheSameFileToATopic() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));

        int exit = commandLine.execute("demo", "--scenario", "papers", "--records", "2000");

        assertThat(exit).as(out.toString()).isZero();
        long bytes = PapersDemo.paper(2000).getBytes(StandardCharsets.UTF_8).length;
        assertThat(out.toString()).contains("uploaded s3://papers/papers/paper-3.txt",
                "objects           3 (the same content under 3 keys: 3 objects)",
                String.format("bytes             %,d", 3 * bytes),
                "lines             6,000 read, 6,000 written (blank lines skipped)",
                "records in topic  6,000");
    }

    @Test
    void theWordcountScenarioCountsThreeUploadsOfAPaperOnKafkaStreams() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));

        int exit = commandLine.execute("demo", "--scenario", "wordcount", "--records", "500");

        assertThat(exit).as(out.toString()).isZero();
        long the = Arrays.stream(PapersDemo.paper(500).toLowerCase(Locale.ROOT)
                .split(SplitProcessor.WORDS)).filter("the"::equals).count();
        assertThat(out.toString()).contains("changelog         word-count-word_counts-changelog",
                String.format("'the'             %,d = 3 x %,d (its count in one paper)", 3 * the, the));
    }

    @Test
    void thePinterestScenarioPostsEachRowAsTheSeedsClientDoesAndArchivesEveryRecordOnce() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));

        int exit = commandLine.execute("demo", "--scenario", "pinterest", "--records", "20");

        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("requests          60 in", "answers {200=60}",
                "12e0d5e1f0b4.pin     20 records in the topic, 20 objects in s3://user-12e0d5e1f0b4-bucket/topics/"
                        + "12e0d5e1f0b4.pin/",
                "12e0d5e1f0b4.user    20 records in the topic, 20 objects");
    }

    @Test
    void theKinesisScenarioMovesAStreamSplitMidRunAndKplAggregatesIntoATopicWithEachRecordOnce() {
        KinesisServer.requireOrSkip();
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));

        int exit = commandLine.execute("demo", "--scenario", "kinesis", "--records", "400");

        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).containsAnyOf("shardId-000000000002", "shardId-000000000003"); // a child read
        // each instance read its share: the parents 0 and 1 by one, the children 2 and 3 (those with records) by
        // the other
        assertThat(out.toString()).containsPattern("instance 1 +[1-9][0-9,]* records of shardId-000000000000, "
                + "shardId-000000000001\\n").containsPattern("instance 2 +[1-9][0-9,]* records of "
                + "shardId-00000000000[23](, shardId-000000000003)?\\n");
        assertThat(out.toString()).contains("split shardId-000000000000 into two children",
                "KPL aggregates split   4 aggregates -> 200 user records, each its own record",
                "records in topic       400 of 400 put, 400 distinct (each once: yes)");
    }

    @Test
    void samplePostsAreValidJsonExceptTheMalformedOnes() {
        assertThat(SamplePosts.post(0, 1000)).startsWith("{\"index\":0,\"unique_id\":\"");
        assertThat(SamplePosts.post(999, 1000)).isEqualTo("{\"index\": 999, \"title\": \"cut off");
        assertThat(SamplePosts.post(1999, 1000)).isEqualTo("{\"title\": \"no index\"}");
    }
}
