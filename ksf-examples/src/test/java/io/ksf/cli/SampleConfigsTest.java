package io.ksf.cli;

import io.ksf.pipeline.OptionsReference;
import io.ksf.pipeline.Registry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every sample config validates, and the README's option reference is what {@code ksf options} prints. */
class SampleConfigsTest {
    /** What the environment of an ECS task would hold for the samples. */
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "KAFKA_BOOTSTRAP", "b-1.kafka.example:9092", "MSK_BOOTSTRAP", "b-1.msk.example:9098",
            "DOCDB_URI", "mongodb://ksf:secret@docdb.cluster-x.us-east-1.docdb.amazonaws.com:27017/?tls=true",
            "PAPERS_BUCKET", "papers-bucket", "INGEST_TOKEN", "token-from-secrets-manager",
            // the task's keystore file: validation only checks that it can be read
            "TLS_KEYSTORE", "pom.xml", "TLS_KEYSTORE_PASSWORD", "keystore-secret");

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("configs"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everySampleConfigValidates(Path sample) {
        ConfigOption option = new ConfigOption();
        option.location = sample.toString();

        String summary = option.plan(ENVIRONMENT::get).summary();

        assertThat(summary).startsWith("pipeline '").doesNotContain("secret@");
    }

    @Test
    void thereIsASampleForEachScenarioOfTheSeeds() throws IOException {
        assertThat(samples().map(p -> p.getFileName().toString()).toList()).contains("release1-kafka-to-s3.json",
                "kafka-md5-docdb.json", "csv-to-s3.json", "topic-regex-to-s3.json", "msk-iam-to-s3.json",
                "papers-s3-to-kafka.json", "papers-word-count.json", "pinterest-http-to-msk.json",
                "kinesis-to-msk.json");
    }

    @Test
    void theReadmeOptionTablesMatchKsfOptions() throws IOException {
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        assertThat(commandLine.execute("options")).isZero();
        // this test module adds a source factory of its own; the README documents the shipped ones
        String printed = withoutSection(out.toString(), "#### source `file-test`");

        String readme = Files.readString(Path.of("../README.md"));
        String copy = readme.substring(readme.indexOf("<!-- ksf options: begin -->\n") + 28,
                readme.indexOf("<!-- ksf options: end -->"));

        assertThat(copy).isEqualTo(printed);
        assertThat(printed).isEqualTo(withoutSection(OptionsReference.markdown(Registry.load()),
                "#### source `file-test`"));
        assertThat(List.of("kafka", "s3", "docdb", "file", "json", "csv", "validate", "hash"))
                .allSatisfy(name -> assertThat(printed).contains("`" + name + "`"));
    }

    private static String withoutSection(String markdown, String heading) {
        int start = markdown.indexOf(heading);
        if (start < 0) {
            return markdown;
        }
        int end = markdown.indexOf("#### ", start + heading.length());
        return markdown.substring(0, start) + (end < 0 ? "" : markdown.substring(end));
    }
}
