package io.ksf.cli;

import io.ksf.spi.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValidateCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int ksf(String... args) {
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(args);
    }

    private Path config(String json) throws IOException {
        return Files.writeString(dir.resolve("pipeline.json"), json);
    }

    private static final String FILE_TO_FILE = """
            {"source": {"type": "%s"},
             "processors": [{"type": "hash", "fields": ["email"]}],
             "target": {"type": "file", "format": "csv", "path": "/tmp/out"},
             "pipeline": {"flush.records": 500}}""";

    @Test
    void aCanonicalConfigWhoseAdaptersExistValidatesAndIsSummarised() throws IOException {
        // the registry of this module holds the file target; a test source stands in for a real one
        Path file = config("""
                {"source": {"type": "file-test", "format": "json"},
                 "processors": [{"type": "hash", "fields": ["email"]}],
                 "target": {"type": "file", "format": {"type": "csv", "columns": ["id", "email"]}, "path": "/tmp/out"},
                 "pipeline": {"flush.records": 500}}""");

        int exit = ksf("validate", "--config", file.toString());

        assertThat(err.toString()).isEmpty();
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("source      file-test (format json)")
                .contains("processors  hash {fields=[email]}")
                .contains("target      file (format csv {columns=[id, email]")
                .contains("flush       every 500 records, 64 MiB or 30s; poll 1s; mode sync")
                .contains("config is valid");
    }

    @Test
    void aTypeThatNoFactoryProvidesExitsTwoListingTheAvailableNames() throws IOException {
        Path file = config(FILE_TO_FILE.formatted("file-test").replace("\"type\": \"file\"", "\"type\": \"fiel\""));

        int exit = ksf("validate", "--config", file.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("target.type: no target named 'fiel'; available: docdb, file, kafka, s3");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void everyProblemIsPrintedOnItsOwnLine() throws IOException {
        Path file = config("""
                {"source": {"type": "file-test", "colour": "red"},
                 "target": {"type": "file"},
                 "pipeline": {"flush.records": "many"}}""");

        int exit = ksf("validate", "--config", file.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).contains(
                "config is invalid:",
                "  pipeline.flush.records: expected an integer, found \"many\"");
    }

    @Test
    void aFactorysOwnOptionsAreCheckedToo() throws IOException {
        Path file = config("""
                {"source": {"type": "file-test"},
                 "target": {"type": "file", "prefix": "x/"},
                 "processors": [{"type": "filter", "field": "a"}]}""");

        int exit = ksf("validate", "--config", file.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).contains(
                "  target.path: missing; expected a string (local folder to write objects under)",
                "  processors[0]: expected exactly one of equals, matches");
    }

    @Test
    void theReleaseOneSampleValidatesAndIsSummarisedAsKafkaToS3() {
        int exit = ksf("validate", "--config", "configs/release1-kafka-to-s3.json");

        assertThat(err.toString()).isEmpty();
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("(release-1 config)", "source      kafka (format json)",
                "topics=[topicname]", "group.id=foo", "target      s3 (format json)", "bucket=bucketname",
                "prefix=curated/", "every 10 records", "poll 1s; mode sync", "config is valid");
    }

    @Test
    void theReleaseOneSampleWithTargetDataFormatParquetValidatesAsParquetWithColumnsFromTheRecords()
            throws IOException {
        Path copy = config(Files.readString(Path.of("configs/release1-kafka-to-s3.json"))
                .replace("\"TargetDataFormat\": \"JSON\"", "\"TargetDataFormat\": \"PARQUET\""));

        int exit = ksf("validate", "--config", copy.toString());

        assertThat(err.toString()).isEmpty();
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("(release-1 config)", "target      s3 (format parquet)",
                "bucket=bucketname", "config is valid");
    }

    @Test
    void aMisspelledReleaseOneKeyExitsTwoNamingItAndTheSupportedKeys() throws IOException {
        Path copy = config(Files.readString(Path.of("configs/release1-kafka-to-s3.json"))
                .replace("TargetS3bucket", "TargetS3Bucket"));

        int exit = ksf("validate", "--config", copy.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).contains("  Target.TargetS3Bucket: unknown key; supported keys: "
                + "TargetDataFormat, TargetFolderName, TargetS3bucket");
    }

    @Test
    void aRecordsPerCommitOfTenInWordsExitsTwoNamingThePathTheExpectationAndTheValue() throws IOException {
        Path copy = config(Files.readString(Path.of("configs/release1-kafka-to-s3.json"))
                .replace("\"minMSKCommit\":\"10\"", "\"minMSKCommit\":\"ten\""));

        int exit = ksf("validate", "--config", copy.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("config is invalid:",
                "  Source.minMSKCommit: expected an integer, found \"ten\"");
    }

    @Test
    void theSeedsKafkaMd5DocumentDbSampleValidates() {
        Map<String, String> environment = Map.of("KAFKA_BOOTSTRAP", "b-1.msk.example:9092",
                "DOCDB_URI", "mongodb://ksf:DocDbPass@docdb.cluster-x.us-east-1.docdb.amazonaws.com:27017/?tls=true");
        ConfigOption option = new ConfigOption();
        option.location = "configs/kafka-md5-docdb.json";

        String summary = option.plan(environment::get).summary();

        assertThat(summary).contains("source      kafka (format bytes)", "topics=[MyTopic]",
                "processors  hash {output.field=hashed}", "target      docdb",
                "database=kafka", "collection=hashed").doesNotContain("DocDbPass");
    }

    @Test
    void aMissingFileIsABadConfig() {
        int exit = ksf("validate", "--config", dir.resolve("nope.json").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("nope.json does not exist");
    }

    @Test
    void theConfigMayComeFromConfigFileLocation() throws IOException {
        Path file = config(FILE_TO_FILE.formatted("file-test"));
        ConfigOption option = new ConfigOption();

        assertThat(option.location(Map.of("configFileLocation", file.toString())::get)).isEqualTo(file.toString());
        assertThatThrownBy(() -> option.location(name -> null)).isInstanceOf(ConfigException.class)
                .hasMessage("no config: pass --config FILE or set the environment variable configFileLocation");
    }

    @Test
    void noConfigAtAllExitsTwo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("configFileLocation") == null);

        assertThat(ksf("validate")).isEqualTo(2);
        assertThat(err.toString()).contains("no config: pass --config FILE");
    }
}
