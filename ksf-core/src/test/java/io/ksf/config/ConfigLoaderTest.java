package io.ksf.config;

import io.ksf.pipeline.PipelineSettings;
import io.ksf.spi.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    private final Map<String, String> env = Map.of("OUT_DIR", "/data/out", "KAFKA_PASSWORD", "hunter2");
    private final ConfigLoader loader = ConfigLoader.withEnvironment(env::get);

    @Test
    void aCanonicalConfigLoadsEverySection() {
        PipelineConfig config = loader.parse("""
                {"name": "orders",
                 "source": {"type": "kafka", "format": {"type": "csv", "columns": ["id", "amount"]}, "topics": "orders"},
                 "processors": [{"type": "validate", "required": ["id"]}, {"type": "hash", "fields": ["id"]}],
                 "target": {"type": "file", "format": "JSON", "path": "${OUT_DIR}/orders"},
                 "errors": {"deadletter": {"type": "file", "path": "${OUT_DIR}/dlq"}, "retry.timeout": "2m"},
                 "pipeline": {"mode": "async", "flush.records": 500, "flush.bytes": "8MiB", "flush.interval": "10s",
                              "poll.timeout": "250ms"}}
                """);

        assertThat(config.name()).isEqualTo("orders");
        assertThat(config.source().format().type()).isEqualTo("csv");
        assertThat(config.source().format().options().get("columns").size()).isEqualTo(2);
        assertThat(config.processors()).extracting(ComponentConfig::type).containsExactly("validate", "hash");
        assertThat(config.processors().get(1).path()).isEqualTo("processors[1]");
        assertThat(config.target().format().type()).isEqualTo("json");
        assertThat(config.target().options().get("path").asText()).isEqualTo("/data/out/orders");
        assertThat(config.deadLetter().options().get("path").asText()).isEqualTo("/data/out/dlq");
        PipelineSettings s = config.settings();
        assertThat(s.mode()).isEqualTo(PipelineSettings.Mode.ASYNC);
        assertThat(s.flushRecords()).isEqualTo(500);
        assertThat(s.flushBytes()).isEqualTo(8L << 20);
        assertThat(s.flushInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.pollTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.retryTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.tolerance()).as("a dead-letter destination makes tolerance all").isEqualTo(PipelineSettings.Tolerance.ALL);
    }

    @Test
    void anUnknownTopLevelKeyListsTheSupportedOnes() {
        assertThatThrownBy(() -> loader.parse("""
                {"source": {"type": "kafka"}, "target": {"type": "file"}, "pipline": {}}"""))
                .isInstanceOf(ConfigException.class)
                .hasMessage("pipline: unknown key; supported keys: errors, name, pipeline, processors, source, target");
    }

    @Test
    void aBadSettingNamesItsPathTheExpectationAndTheValue() {
        assertThatThrownBy(() -> loader.parse("""
                {"source": {"type": "kafka"}, "target": {"type": "file"},
                 "pipeline": {"flush.interval": "soon", "mode": "fast"}}"""))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "pipeline.mode: expected one of sync, async, found \"fast\"",
                        "pipeline.flush.interval: expected a duration such as 500ms, 10s or 5m, found \"soon\""));
    }

    @Test
    void missingSectionsAndTypesAreNamed() {
        assertThatThrownBy(() -> loader.parse("""
                {"source": {"topics": ["a"]}, "processors": [{"type": ""}]}"""))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "source.type: missing; expected the name of a factory, such as \"kafka\"",
                        "target: missing; expected an object with a \"type\"",
                        "processors[0].type: expected the name of a factory, such as \"validate\", found \"\""));
    }

    @Test
    void toleranceAllWithoutADeadLetterDestinationIsRejected() {
        assertThatThrownBy(() -> loader.parse("""
                {"source": {"type": "kafka"}, "target": {"type": "file"}, "errors": {"tolerance": "all"}}"""))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("errors.tolerance: 'all' needs errors.deadletter");
    }

    @Test
    void anUnsetEnvironmentVariableIsNamedWithItsPath() {
        assertThatThrownBy(() -> loader.parse("""
                {"source": {"type": "kafka", "properties": {"sasl.username": "${KAFKA_USER}"}},
                 "target": {"type": "file", "path": "${OUT_DIR:-/tmp}"}}"""))
                .isInstanceOf(ConfigException.class)
                .hasMessage("source.properties.sasl.username: environment variable KAFKA_USER is not set");
    }

    @Test
    void theTopicPlaceholderOfATemplateIsNotAnEnvironmentVariable() {
        PipelineConfig config = ConfigLoader.withEnvironment(name -> "from-env").parse("""
                {"source": {"type": "kafka"}, "target": {"type": "kafka", "topic": "${topic}.${STAGE}"}}""");
        assertThat(config.target().options().get("topic").asText()).isEqualTo("${topic}.from-env");
    }

    @Test
    void aDefaultAppliesWhenTheVariableIsUnset() {
        PipelineConfig config = ConfigLoader.withEnvironment(name -> null).parse("""
                {"source": {"type": "kafka"}, "target": {"type": "file", "path": "${OUT_DIR:-/tmp/ksf}"}}""");
        assertThat(config.target().options().get("path").asText()).isEqualTo("/tmp/ksf");
    }

    @Test
    void secretsFromTheEnvironmentNeverShowInToString() {
        PipelineConfig config = loader.parse("""
                {"source": {"type": "kafka", "properties": {"sasl.jaas.config": "password='${KAFKA_PASSWORD}'",
                  "ssl.truststore.password": "${KAFKA_PASSWORD}", "group.id": "g"}},
                 "target": {"type": "file", "path": "/out"}}""");

        assertThat(config.source().options().get("properties").get("sasl.jaas.config").asText()).contains("hunter2");
        assertThat(config.source().toString()).doesNotContain("hunter2").contains("<redacted>").contains("group.id=g");
    }

    @Test
    void invalidJsonSaysWhere() {
        assertThatThrownBy(() -> loader.parse("{\"source\": {\"type\": \"kafka\",}}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config is not valid JSON:")
                .hasMessageContaining("line 1");
    }
}
