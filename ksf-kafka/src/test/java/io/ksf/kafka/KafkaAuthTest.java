package io.ksf.kafka;

import io.ksf.contract.InMemoryTarget;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.spi.Options;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(KafkaBroker.class)
class KafkaAuthTest {
    private final KafkaSourceFactory factory = new KafkaSourceFactory();

    private Options options(Map<String, Object> values) {
        return Options.of("source", factory.options(), values);
    }

    private Map<String, Object> sasl(EmbeddedKafka kafka, String group, String password) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("topics", List.of("auth-topic"));
        values.put("auth", "plain");
        values.put("username", EmbeddedKafka.SASL_USER);
        values.put("password", password);
        values.put("properties", Map.of("bootstrap.servers", kafka.saslBootstrapServers(), "group.id", group,
                "security.protocol", "SASL_PLAINTEXT"));
        return values;
    }

    @Test
    void iamAuthProducesTheMskIamClientProperties() {
        Properties props = KafkaSourceFactory.consumerProperties(options(Map.of("topics", List.of("t"), "auth", "iam",
                "role.arn", "arn:aws:iam::123456789012:role/ksf",
                "properties", Map.of("bootstrap.servers", "b-1.msk:9098", "group.id", "g"))));

        assertThat(props).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "AWS_MSK_IAM")
                .containsEntry("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required "
                        + "awsRoleArn=\"arn:aws:iam::123456789012:role/ksf\";")
                .containsEntry("sasl.client.callback.handler.class",
                        "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
    }

    @Test
    void theIamClassesAreOnTheClassPath() throws ClassNotFoundException {
        assertThat(Class.forName(KafkaAuth.IAM_LOGIN_MODULE)).isNotNull();
        assertThat(Class.forName(KafkaAuth.IAM_CALLBACK_HANDLER)).isNotNull();
    }

    @Test
    void scramSettingsBecomeClientPropertiesAndThePasswordNeverShows() {
        Options options = options(Map.of("topics", List.of("t"), "auth", "scram-sha-512", "username", "u",
                "password", "hunter2", "properties", Map.of("group.id", "g", "enable.auto.commit", "true")));

        assertThat(KafkaSourceFactory.consumerProperties(options)).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(options.toString()).doesNotContain("hunter2");
    }

    @Test
    void plainCredentialsConnectToABrokerThatChecksThem(EmbeddedKafka kafka) {
        kafka.createTopic("auth-topic", 1);
        kafka.produce("auth-topic", 1, List.of("{\"a\":1}", "{\"a\":2}"));
        InMemoryTarget target = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder()
                .source(factory.create(options(sasl(kafka, "auth-ok", EmbeddedKafka.SASL_PASSWORD)), null),
                        new JsonFormat())
                .target(target).flushEvery(2, 1 << 20, Duration.ofSeconds(1)).build();

        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> target.stored().size() == 2, Duration.ofSeconds(30)).stop();
        }
        assertThat(kafka.committed("auth-ok", "auth-topic").values()).containsExactly(2L);
    }

    @Test
    void tlsConnectsWhenTheBrokerCertificateIsTrusted(EmbeddedKafka kafka) {
        kafka.createTopic("tls-topic", 1);
        kafka.produce("tls-topic", 1, List.of("{\"tls\":true}"));
        InMemoryTarget target = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder()
                .source(factory.create(options(Map.of("topics", List.of("tls-topic"), "auth", "tls",
                        "truststore.location", kafka.trustStore().toString(),
                        "truststore.password", EmbeddedKafka.STORE_PASSWORD,
                        "properties", Map.of("bootstrap.servers", kafka.sslBootstrapServers(), "group.id", "tls-ok",
                                "ssl.truststore.type", "PKCS12"))), null), new JsonFormat())
                .target(target).flushEvery(1, 1 << 20, Duration.ofSeconds(1)).build();

        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> target.stored().size() == 1, Duration.ofSeconds(30)).stop();
        }
        assertThat(kafka.committed("tls-ok", "tls-topic").values()).containsExactly(1L);
    }

    @Test
    void tlsWithoutTrustingTheBrokerFailsWithAClearError(EmbeddedKafka kafka) {
        Pipeline pipeline = Pipeline.builder()
                .source(factory.create(options(Map.of("topics", List.of("tls-topic"), "auth", "tls",
                        "properties", Map.of("bootstrap.servers", kafka.sslBootstrapServers(), "group.id", "tls-bad"))),
                        null), new JsonFormat())
                .target(new InMemoryTarget()).build();

        assertThat(RunningPipeline.start(pipeline).failure())
                .hasMessageStartingWith("authentication to the Kafka brokers failed").hasMessageContaining("SSL");
    }

    @Test
    void aWrongPasswordFailsFastWithAClearErrorAndDoesNotShowThePassword(EmbeddedKafka kafka) {
        Pipeline pipeline = Pipeline.builder()
                .source(factory.create(options(sasl(kafka, "auth-bad", "wrong-password")), null), new JsonFormat())
                .target(new InMemoryTarget()).build();

        Throwable failure = RunningPipeline.start(pipeline).failure();

        assertThat(failure).hasMessageStartingWith("authentication to the Kafka brokers failed")
                .hasMessageNotContaining("wrong-password");
    }
}
