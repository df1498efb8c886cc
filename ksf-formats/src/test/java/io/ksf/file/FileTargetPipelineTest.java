package io.ksf.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.contract.DelegatingSource;
import io.ksf.contract.InMemorySource;
import io.ksf.format.csv.CsvFormat;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineBuilder;
import io.ksf.pipeline.PipelineSettings;
import io.ksf.processor.ValidateProcessor;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Processor;
import io.ksf.spi.SourcePartition;
import io.ksf.testkit.RunningPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Pipelines into the file target: the objects a user finds in the folder, byte for byte. */
class FileTargetPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<KsfRecord> posts() {
        List<KsfRecord> records = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            for (int o = 0; o < 3; o++) {
                records.add(KsfRecord.of("pins", p, o, "{\"id\":" + (p * 10 + o) + ",\"user\":\"u" + o + "\"}"));
            }
        }
        return records;
    }

    /** Runs until every record was polled, then stops (which flushes and commits). */
    private static InMemorySource run(List<KsfRecord> input, Positions start, PipelineBuilder builder) {
        InMemorySource source = new InMemorySource(input, start, 500);
        Pipeline pipeline = builder.source(source, new JsonFormat()).flushEvery(1000, 1 << 20, Duration.ofHours(1))
                .build();
        long expected = input.stream().filter(r -> r.offset() >= Math.max(0, start.next(r.topicPartition()))).count();
        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == expected, WAIT).stop();
        }
        return source;
    }

    private Map<String, String> objects(Path root) throws IOException {
        Map<String, String> objects = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                objects.put(root.relativize(file).toString(), Files.readString(file));
            }
        }
        return objects;
    }

    @Test
    void jsonLinesObjectsHoldTheRecordsOfEachPartitionByteForByte() throws IOException {
        InMemorySource source = run(posts(), Positions.empty(), Pipeline.builder()
                .processor(new ValidateProcessor(List.of("id"), Map.of("id", "integer"), null))
                .target(new FileTarget(dir, "curated/", new JsonFormat())));

        assertThat(objects(dir)).containsExactly(
                Map.entry("curated/pins/partition=0/pins+0+00000000000000000000.json",
                        "{\"id\":0,\"user\":\"u0\"}\n{\"id\":1,\"user\":\"u1\"}\n{\"id\":2,\"user\":\"u2\"}\n"),
                Map.entry("curated/pins/partition=1/pins+1+00000000000000000000.json",
                        "{\"id\":10,\"user\":\"u0\"}\n{\"id\":11,\"user\":\"u1\"}\n{\"id\":12,\"user\":\"u2\"}\n"));
        assertThat(source.committed()).isEqualTo(source.endPositions());
    }

    /**
     * Validation by field types reads them off the bytes: valid values are stored as they came (spacing, key order,
     * decimals as written), which a decode and encode would have changed, and the rest go to the dead letters.
     */
    @Test
    void validatedRecordsAreStoredAsTheyCameWithoutBeingDecodedAndTheInvalidAreDeadLettered() throws IOException {
        List<String> values = List.of("{ \"user\" : \"u0\",  \"id\" : 0, \"score\": 1.50 }",
                "{\"id\": \"one\", \"user\": \"u1\"}", "{\"user\": \"u2\"}", "{\"id\": 3, \"user\": \"u3\"",
                "{\"id\":4e0,\"user\":\"\u00e9\"}");
        List<KsfRecord> input = new ArrayList<>();
        for (int o = 0; o < values.size(); o++) {
            input.add(KsfRecord.of("pins", 0, o, values.get(o)));
        }
        io.ksf.contract.InMemoryTarget deadLetters = new io.ksf.contract.InMemoryTarget();
        run(input, Positions.empty(), Pipeline.builder()
                .processor(new ValidateProcessor(List.of("id"), Map.of("id", "integer", "user", "string"), null))
                .target(new FileTarget(dir, "", new JsonFormat())).deadLetter(deadLetters));

        assertThat(objects(dir)).containsExactly(Map.entry("pins/partition=0/pins+0+00000000000000000000.json",
                values.get(0) + "\n" + values.get(4) + "\n"));
        assertThat(deadLetters.stored()).extracting(letter -> letter.offset() + ": " + new String(
                letter.header("ksf.error.message").value(), java.nio.charset.StandardCharsets.UTF_8)
                .split(" \\(start marker")[0])
                .containsExactly("1: invalid record: field 'id' should be integer but is string",
                        "2: invalid record: field 'id' is missing",
                        "3: not valid JSON: Unexpected end-of-input: expected close marker for Object");
    }

    @Test
    void csvObjectsHaveAHeaderRowAndOneRowPerRecord() throws IOException {
        run(posts(), Positions.empty(), Pipeline.builder()
                .target(new FileTarget(dir, "", new CsvFormat(List.of(), true, ','))));

        assertThat(objects(dir)).containsExactly(
                Map.entry("pins/partition=0/pins+0+00000000000000000000.csv", "id,user\r\n0,u0\r\n1,u1\r\n2,u2\r\n"),
                Map.entry("pins/partition=1/pins+1+00000000000000000000.csv", "id,user\r\n10,u0\r\n11,u1\r\n12,u2\r\n"));
    }

    @Test
    void aReplayFromTheLastCommitRewritesTheSameObjects() throws IOException {
        List<KsfRecord> input = posts();
        run(input, Positions.empty(), Pipeline.builder().target(new FileTarget(dir, "", new JsonFormat())));
        Map<String, String> first = objects(dir);

        // a crash after the upload but before the commit: the next run starts from the previous commit (nothing)
        run(input, Positions.empty(), Pipeline.builder().target(new FileTarget(dir, "", new JsonFormat())));

        assertThat(objects(dir)).isEqualTo(first).hasSize(2);
    }

    /**
     * A run whose commits stop reaching the source after the first (a crash between uploads and their commits,
     * possibly several generations deep in async mode), then a replay that polls and flushes at other offsets: the
     * replay must delete what the first run stored past the commit, or the old objects would sit beside new ones.
     */
    @ParameterizedTest
    @EnumSource(PipelineSettings.Mode.class)
    void aReplayThatCutsObjectsElsewhereStillLeavesEveryRecordInExactlyOneObject(PipelineSettings.Mode mode)
            throws IOException {
        List<KsfRecord> input = new ArrayList<>();
        for (int o = 0; o < 1_000; o++) {
            input.add(KsfRecord.of("pins", o % 2, o / 2, "{\"n\":" + o + "}"));
        }
        InMemorySource first = new InMemorySource(input, Positions.empty(), 40);
        java.util.concurrent.atomic.AtomicInteger commits = new java.util.concurrent.atomic.AtomicInteger();
        Pipeline crashing = Pipeline.builder().source(new DelegatingSource(first) {
            @Override
            public void commit(Positions positions) {
                if (commits.incrementAndGet() == 1) {
                    super.commit(positions);
                }
            }
        }, new JsonFormat()).target(new FileTarget(dir, "", new JsonFormat())).mode(mode)
                .flushEvery(100, 1 << 20, Duration.ofHours(1)).build();
        try (RunningPipeline running = RunningPipeline.start(crashing)) {
            running.awaitUntil(() -> crashing.stats().recordsIn() == 1_000, WAIT).stop();
        }
        assertThat(first.committed().asMap().values()).allSatisfy(next -> assertThat(next).isBetween(1L, 499L));

        InMemorySource replay = new InMemorySource(input, first.committed(), 33);
        Pipeline second = Pipeline.builder().source(replay, new JsonFormat())
                .target(new FileTarget(dir, "", new JsonFormat())).mode(mode)
                .flushEvery(70, 1 << 20, Duration.ofHours(1)).build();
        long left = 1_000 - first.committed().asMap().values().stream().mapToLong(Long::longValue).sum();
        try (RunningPipeline running = RunningPipeline.start(second)) {
            running.awaitUntil(() -> second.stats().recordsIn() == left, WAIT).stop();
        }

        List<String> stored = objects(dir).values().stream().flatMap(String::lines).sorted().toList();
        assertThat(stored).isEqualTo(input.stream().map(r -> new String(r.value())).sorted().toList());
        assertThat(replay.committed()).isEqualTo(replay.endPositions());
    }

    @Test
    void aPoisonRecordReachesTheDeadLetterFolderWithItsOriginWhileTheRestArrive() throws IOException {
        List<KsfRecord> input = new ArrayList<>(posts());
        input.set(1, KsfRecord.of("pins", 0, 1, "{\"id\": oops"));
        input.set(4, KsfRecord.of("pins", 1, 1, "{\"user\":\"no id\"}"));
        Path out = dir.resolve("out");
        Path dead = dir.resolve("dead");

        InMemorySource source = run(input, Positions.empty(), Pipeline.builder()
                .processor(new ValidateProcessor(List.of("id"), Map.of(), null))
                .target(new FileTarget(out, "", new JsonFormat()))
                .deadLetter(new FileTarget(dead, "dlq/", new JsonFormat())));

        assertThat(objects(out)).containsExactly(
                Map.entry("pins/partition=0/pins+0+00000000000000000000.json",
                        "{\"id\":0,\"user\":\"u0\"}\n{\"id\":2,\"user\":\"u2\"}\n"),
                Map.entry("pins/partition=1/pins+1+00000000000000000000.json",
                        "{\"id\":10,\"user\":\"u0\"}\n{\"id\":12,\"user\":\"u2\"}\n"));
        Map<String, String> deadObjects = objects(dead);
        assertThat(deadObjects).containsOnlyKeys("dlq/pins/partition=0/pins+0+00000000000000000001.json",
                "dlq/pins/partition=1/pins+1+00000000000000000001.json");
        JsonNode undecodable = MAPPER.readTree(deadObjects.get("dlq/pins/partition=0/pins+0+00000000000000000001.json"));
        assertThat(undecodable.at("/origin").toString())
                .isEqualTo("{\"topic\":\"pins\",\"partition\":0,\"offset\":1,\"timestamp\":0}");
        assertThat(undecodable.at("/error/class").asText()).isEqualTo("io.ksf.spi.InvalidRecordException");
        assertThat(undecodable.at("/error/message").asText()).startsWith("not valid JSON");
        assertThat(undecodable.at("/value").asText()).isEqualTo("{\"id\": oops");
        JsonNode invalid = MAPPER.readTree(deadObjects.get("dlq/pins/partition=1/pins+1+00000000000000000001.json"));
        assertThat(invalid.at("/error/message").asText()).isEqualTo("invalid record: field 'id' is missing");
        assertThat(source.committed()).isEqualTo(source.endPositions());
    }

    @Test
    void aRecordTheTargetFormatCannotEncodeReachesTheDeadLettersAndIsCommitted() throws IOException {
        Path out = dir.resolve("out");
        Path dead = dir.resolve("dead");
        Processor attachHandle = record -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> data = new LinkedHashMap<>((Map<String, Object>) record.data());
            if (record.partition() == 1) {
                data.put("handle", new Object()); // not encodable as JSON
            }
            return List.of(record.withData(data));
        };

        InMemorySource source = run(posts(), Positions.empty(), Pipeline.builder().processor(attachHandle)
                .target(new FileTarget(out, "", new JsonFormat()))
                .deadLetter(new FileTarget(dead, "dlq/", new JsonFormat())));

        assertThat(objects(out)).containsOnlyKeys("pins/partition=0/pins+0+00000000000000000000.json");
        Map<String, String> deadObjects = objects(dead);
        assertThat(deadObjects).containsOnlyKeys("dlq/pins/partition=1/pins+1+00000000000000000000.json");
        List<String> lines = deadObjects.get("dlq/pins/partition=1/pins+1+00000000000000000000.json").lines().toList();
        assertThat(lines).hasSize(3);
        JsonNode first = MAPPER.readTree(lines.get(0));
        assertThat(first.at("/error/message").asText())
                .startsWith("cannot encode record pins/1@0 as json: No serializer found for class java.lang.Object");
        assertThat(first.at("/value").asText()).isEqualTo("{\"id\":10,\"user\":\"u0\"}");
        assertThat(source.committed()).isEqualTo(source.endPositions());
    }

    @Test
    void aFailedFlushCommitsNothingAndLeavesNoPartialObject() throws IOException {
        Path out = dir.resolve("out");
        // a non-empty folder where partition 1's object must go makes its rename fail
        Files.createDirectories(out.resolve("pins/partition=1/pins+1+00000000000000000000.json/blocker"));
        InMemorySource source = new InMemorySource(posts());
        Pipeline pipeline = Pipeline.builder().source(source, new JsonFormat())
                .target(new FileTarget(out, "", new JsonFormat())).flushEvery(3, 1 << 20, Duration.ofHours(1))
                .build();

        Throwable failure = RunningPipeline.start(pipeline).failure();

        assertThat(failure).hasMessageContaining("cannot store").hasMessageContaining("pins+1+00000000000000000000.json");
        assertThat(source.commits()).isZero();
        assertThat(source.committed().next(new SourcePartition("pins", 1))).isEqualTo(-1);
        try (Stream<Path> files = Files.walk(out)) {
            assertThat(files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList())
                    .as("temporary files left behind").isEmpty();
        }
    }
}
