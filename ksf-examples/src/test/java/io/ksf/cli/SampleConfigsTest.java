package io.ksf.cli;

import io.ksf.pipeline.OptionsReference;
import io.ksf.pipeline.Registry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every sample config and the README's validate, and the connector pages hold what {@code ksf options} prints. */
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
    void theReadmesConfigValidates(@TempDir Path dir) throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("```json\n", readme.indexOf("## One config")) + 8;
        Path config = Files.writeString(dir.resolve("pipeline.json"), readme.substring(start,
                readme.indexOf("```", start)));
        ConfigOption option = new ConfigOption();
        option.location = config.toString();

        assertThat(option.plan(ENVIRONMENT::get).summary()).startsWith("pipeline 'pins-to-s3'");
    }

    @Test
    void theConnectorPagesHoldEveryOptionTableOfKsfOptions() throws IOException {
        StringWriter out = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        assertThat(commandLine.execute("options")).isZero();
        String printed = out.toString();
        assertThat(printed).isEqualTo(OptionsReference.markdown(Registry.load()));

        // each section of the output on one page of docs/connectors, as printed; none there that is not printed
        Map<String, String> documented = new TreeMap<>();
        try (Stream<Path> pages = Files.list(Path.of("../docs/connectors"))) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                String text = Files.readString(page);
                String copy = text.substring(text.indexOf("<!-- ksf options: begin -->\n") + 28,
                        text.indexOf("<!-- ksf options: end -->"));
                sections(copy).forEach((heading, body) -> assertThat(documented.put(heading, body))
                        .as("%s documented twice", heading).isNull());
            }
        }
        Map<String, String> generated = sections(printed);
        // this test module adds a source factory of its own; the pages document the shipped ones
        generated.remove("#### source `file-test`");
        assertThat(documented).isEqualTo(generated);
        assertThat(List.of("kafka", "s3", "docdb", "file", "json", "csv", "validate", "hash", "kinesis", "http"))
                .allSatisfy(name -> assertThat(documented.keySet()).anyMatch(h -> h.contains("`" + name + "`")));
    }

    /** The sections of an options reference, by heading. */
    private static Map<String, String> sections(String markdown) {
        Map<String, String> sections = new TreeMap<>();
        for (String section : markdown.split("(?m)^(?=#### )")) {
            if (!section.isBlank()) {
                sections.put(section.substring(0, section.indexOf('\n')), section);
            }
        }
        return sections;
    }
}
