package io.ksf.parquet;

import io.ksf.config.ConfigLoader;
import io.ksf.contract.InMemorySource;
import io.ksf.contract.InMemoryTarget;
import io.ksf.contract.RunningTask;
import io.ksf.file.FileTarget;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.PipelineStats;
import io.ksf.pipeline.Registry;
import io.ksf.spi.ConfigException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Options;
import io.ksf.spi.Positions;
import io.ksf.testkit.DuckDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JSON records through a pipeline into Parquet objects of the file target, as a config describes them. */
class ParquetPipelineTest {
    private static final String SCHEMA = """
            {"type": "object", "required": ["id"],
             "properties": {"id": {"type": "integer"}, "user": {"type": "string"},
                            "at": {"type": "string", "format": "date-time"}}}""";

    @TempDir
    Path dir;

    private ParquetFormat format(Map<String, Object> options) {
        ParquetFormatFactory factory = new ParquetFormatFactory();
        return (ParquetFormat) factory.create(Options.of("target.format", factory.options(), options));
    }

    @Test
    void recordsThatFitAreStoredOnceAndTheOthersGoToTheDeadLettersNamingTheField() throws Exception {
        Path schema = Files.writeString(dir.resolve("posts.schema.json"), SCHEMA);
        List<KsfRecord> input = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            for (int o = 0; o < 50; o++) {
                String id = o == 7 ? "\"seven\"" : String.valueOf(p * 100 + o);
                input.add(KsfRecord.of("posts", p, o, "{\"id\":" + id + ",\"user\":\"u" + o
                        + "\",\"at\":\"2026-12-04T10:00:00Z\"}"));
            }
        }
        InMemorySource source = new InMemorySource(input, Positions.empty(), 40);
        InMemoryTarget deadLetters = new InMemoryTarget();
        Path out = dir.resolve("out");
        Pipeline pipeline = Pipeline.builder().source(source, new JsonFormat())
                .target(new FileTarget(out, "lake/", format(Map.of("schema", schema.toString(), "codec", "zstd"))))
                .deadLetter(deadLetters).flushEvery(60, 1 << 20, Duration.ofHours(1)).build();
        try (RunningTask<PipelineStats> running = RunningTask.start("parquet", pipeline::run, pipeline::close)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == input.size(), Duration.ofSeconds(30)).stop();
        }

        List<Path> objects;
        try (Stream<Path> files = Files.walk(out)) {
            objects = files.filter(f -> f.toString().endsWith(".parquet")).toList();
        }
        assertThat(objects).hasSizeGreaterThanOrEqualTo(3);
        assertThat(DuckDb.query("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM read_parquet('" + out
                + "/**/*.parquet')")).containsExactly("147|147|0|249");
        assertThat(deadLetters.stored()).hasSize(3).allSatisfy(letter -> assertThat(
                new String(letter.header("ksf.error.message").value(), StandardCharsets.UTF_8))
                .contains("field 'id': expected an integer, found a string (\"seven\")"));
        assertThat(source.fullyCommitted()).isTrue();
    }

    @Test
    void openParquetWritersCountAgainstTheMemoryBudgetSoManyPartitionsAreFinishedEarlyNotHeldInTheHeap()
            throws Exception {
        Path schema = Files.writeString(dir.resolve("posts.schema.json"), SCHEMA);
        int partitions = 200;
        List<KsfRecord> input = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (int o = 0; o < 10; o++) {
                input.add(KsfRecord.of("posts", p, o, "{\"id\":" + (p * 10 + o) + "}"));
            }
        }
        // 3 columns: about 60 KiB per open writer, 12 MiB for 200 of them, far beyond a 2 MiB budget
        assertThat(mostHeldByOpenWriters(input, schema, 64L << 20, "roomy")).isGreaterThan(10L << 20);
        long budget = 2L << 20;
        long batch = 10 * ParquetFormat.HELD_PER_COLUMN * 3; // the writers one poll of 100 records opens
        assertThat(mostHeldByOpenWriters(input, schema, budget, "tight")).isLessThanOrEqualTo(budget + batch);
        assertThat(DuckDb.query("SELECT count(*), count(DISTINCT id) FROM read_parquet('" + dir.resolve("tight")
                + "/**/*.parquet')")).containsExactly("2000|2000");
    }

    /** Runs the input into Parquet files under {@code dir/name} with this budget: the most the writers held. */
    private long mostHeldByOpenWriters(List<KsfRecord> input, Path schema, long budget, String name)
            throws Exception {
        InMemorySource source = new InMemorySource(input, Positions.empty(), 100);
        FileTarget target = new FileTarget(dir.resolve(name), "", format(Map.of("schema", schema.toString())));
        Pipeline pipeline = Pipeline.builder().source(source, new JsonFormat()).target(target).memoryBudget(budget)
                .flushEvery(100_000, 1L << 30, Duration.ofHours(1)).build();
        long[] mostHeld = new long[1];
        try (RunningTask<PipelineStats> running = RunningTask.start("parquet", pipeline::run, pipeline::close)) {
            running.awaitUntil(() -> {
                mostHeld[0] = Math.max(mostHeld[0], target.heldBytes());
                return pipeline.stats().recordsIn() == input.size();
            }, Duration.ofSeconds(30));
            mostHeld[0] = Math.max(mostHeld[0], target.heldBytes());
            running.stop();
        }
        assertThat(source.fullyCommitted()).isTrue();
        return mostHeld[0];
    }

    @Test
    void aBadSchemaOrCodecIsAConfigErrorNamingTheKey() throws Exception {
        Path schema = Files.writeString(dir.resolve("bad.schema.json"),
                "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"integer\"}, \"x\": {\"type\": \"thing\"}}}");

        assertThatThrownBy(() -> format(Map.of("schema", schema.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("target.format.schema (" + schema + ").properties.x.type: expected string, "
                        + "integer, number, boolean, object or array, found thing");
        assertThatThrownBy(() -> format(Map.of("schema", dir.resolve("none.json").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("target.format.schema: expected a readable JSON Schema or Avro schema file");
        assertThatThrownBy(() -> format(Map.of("schema", schema.toString(), "codec", "lzo")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("target.format.codec");
    }

    @Test
    void validatingAConfigRefusesObjectCompressionBesideParquetBeforeConnecting() throws Exception {
        Path schema = Files.writeString(dir.resolve("posts.schema.json"), SCHEMA);
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "s3", "bucket": "in", "format": "json"},
                 "target": {"type": "s3", "bucket": "lake", "compression": "gzip",
                            "format": {"type": "parquet", "schema": "%s"}}}""".formatted(schema));

        assertThatThrownBy(() -> PipelinePlan.resolve(ConfigLoader.create().load(config), Registry.load()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("target.compression: expected none with format parquet");
    }

    @Test
    void hadoopIsNotOnTheClassPath() {
        assertThatThrownBy(() -> Class.forName("org.apache.hadoop.conf.Configuration"))
                .isInstanceOf(ClassNotFoundException.class);
    }
}
