package io.ksf.config;

import io.ksf.config.PipelineConfig.Dialect;
import io.ksf.pipeline.PipelineSettings;
import io.ksf.spi.ConfigException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Release1DialectTest {
    /** The sample config of the release-1 description, byte for byte (tabs and all). */
    static String sample() throws IOException {
        try (InputStream in = Release1DialectTest.class.getResourceAsStream("/release1-sample.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private final ConfigLoader loader = ConfigLoader.withEnvironment(name -> null);

    @Test
    void theReleaseOneSampleLoadsVerbatimIntoTheCanonicalModel() throws IOException {
        String text = sample();
        assertThat(text).startsWith("{\"Source\":{\n\t\t\"minMSKCommit\":\"10\"");

        PipelineConfig config = loader.parse(text);

        assertThat(config.dialect()).isEqualTo(Dialect.RELEASE_1);
        assertThat(config.source().type()).isEqualTo("kafka");
        assertThat(config.source().format().type()).isEqualTo("json");
        assertThat(config.source().options().get("topics").toString()).isEqualTo("[\"topicname\"]");
        assertThat(config.source().options().get("properties").toString()).isEqualTo(
                "{\"bootstrap.servers\":\"\",\"group.id\":\"foo\",\"enable.auto.commit\":false,"
                        + "\"auto.offset.reset\":\"latest\",\"batch.num.messages\":\"100\"}");
        assertThat(config.processors()).isEmpty();
        assertThat(config.target().type()).isEqualTo("s3");
        assertThat(config.target().format().type()).isEqualTo("json");
        assertThat(config.target().options().get("bucket").asText()).isEqualTo("bucketname");
        assertThat(config.target().options().get("prefix").asText()).isEqualTo("curated/");
        assertThat(config.deadLetter()).isNull();

        PipelineSettings settings = config.settings();
        assertThat(settings.flushRecords()).isEqualTo(10);
        assertThat(settings.pollTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.mode()).isEqualTo(PipelineSettings.Mode.SYNC);
        assertThat(settings.tolerance()).isEqualTo(PipelineSettings.Tolerance.NONE);
    }

    @Test
    void aMisspelledKeyIsRejectedNamingItAndTheSupportedKeys() throws IOException {
        String misspelled = sample().replace("TargetS3bucket", "TargetS3Bucket");

        assertThatThrownBy(() -> loader.parse(misspelled)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).contains(
                        "Target.TargetS3Bucket: unknown key; supported keys: TargetDataFormat, TargetFolderName, "
                                + "TargetS3bucket",
                        "Target.TargetS3bucket: missing; expected a string"));
    }

    @Test
    void aRecordsPerCommitThatIsNotANumberNamesThePathTheExpectationAndTheValue() throws IOException {
        String ten = sample().replace("\"minMSKCommit\":\"10\"", "\"minMSKCommit\":\"ten\"");

        assertThatThrownBy(() -> loader.parse(ten)).isInstanceOf(ConfigException.class)
                .hasMessage("Source.minMSKCommit: expected an integer, found \"ten\"");
    }

    @Test
    void asynchronousTrueMeansAsyncModeAndCsvFormatsAreAccepted() throws IOException {
        String text = sample().replace("\"asynchronous\":false", "\"asynchronous\":true")
                .replace("\"SourceDataFormat\":\"JSON\"", "\"SourceDataFormat\":\"CSV\"")
                .replace("\"TargetDataFormat\": \"JSON\"", "\"TargetDataFormat\": \"csv\"")
                .replace("\"MSKpolling\":\"1.0\"", "\"MSKpolling\":0.25");

        PipelineConfig config = loader.parse(text);

        assertThat(config.settings().mode()).isEqualTo(PipelineSettings.Mode.ASYNC);
        assertThat(config.settings().pollTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.source().format().type()).isEqualTo("csv");
        assertThat(config.target().format().type()).isEqualTo("csv");
    }

    @Test
    void parquetIsATargetFormatWithColumnsInferredButNotASourceFormat() throws IOException {
        PipelineConfig config = loader.parse(sample().replace("\"TargetDataFormat\": \"JSON\"",
                "\"TargetDataFormat\": \"PARQUET\""));
        assertThat(config.target().format().type()).isEqualTo("parquet");

        String parquetSource = sample().replace("\"SourceDataFormat\":\"JSON\"", "\"SourceDataFormat\":\"PARQUET\"");
        assertThatThrownBy(() -> loader.parse(parquetSource)).isInstanceOf(ConfigException.class)
                .hasMessage("Source.SourceDataFormat: expected JSON or CSV, found \"PARQUET\"");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws IOException {
        String text = sample().replace("\"SourceDataFormat\":\"JSON\"", "\"SourceDataFormat\":\"XML\"")
                .replace("\"asynchronous\":false", "\"asynchronous\":\"maybe\"")
                .replace("\"MSKTopic\":[\"topicname\"],", "");

        assertThatThrownBy(() -> loader.parse(text)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrderElementsOf(List.of(
                        "Source.MSKTopic: missing; expected a list of strings",
                        "Source.asynchronous: expected true or false, found \"maybe\"",
                        "Source.SourceDataFormat: expected JSON or CSV, found \"XML\"")));
    }
}
