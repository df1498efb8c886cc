package io.ksf.cli;

import io.ksf.contract.Wait;
import io.ksf.s3.S3Clients;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedMongo;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.MongoWireServer;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ksf validate}, {@code check} and {@code run} as child processes with every log at DEBUG, with a SASL
 * password, a JAAS config, AWS keys, a truststore password and a connection-string password set: none of the secret
 * values appears in anything they print.
 */
@ExtendWith({KafkaBroker.class, S3Server.class, MongoWireServer.class})
class SecretsTest {
    private static final String JAAS_PASSWORD = "jaas-Pa55-" + "x7q";
    private static final String TRUSTSTORE_PASSWORD = "trust-Pa55-" + "k2w";
    private static final String DOCDB_PASSWORD = "docdb-Pa55-" + "m4z";

    static {
        EmbeddedS3.useAsDefaultCredentials(); // for the S3 clients of the test itself
    }

    @TempDir
    Path dir;

    @Test
    void noSecretAppearsInAnyOutputAtDebug(EmbeddedKafka kafka, EmbeddedS3 s3, EmbeddedMongo mongo) throws Exception {
        kafka.createTopic("secret-pins", 2);
        kafka.produce("secret-pins", 2, IntStream.range(0, 2_000).mapToObj(n -> "{\"n\":" + n + "}").toList());
        try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            client.createBucket(b -> b.bucket("secret-bucket"));
        }
        Path logback = Files.writeString(dir.resolve("logback-debug.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%level %logger - %msg%n</pattern></encoder>
                  </appender>
                  <root level="DEBUG"><appender-ref ref="OUT"/></root>
                </configuration>""");
        // SASL with the broker's real password through the options, to S3 with keys from the environment
        Path saslToS3 = Files.writeString(dir.resolve("sasl-s3.json"), """
                {"name": "secret-sasl",
                 "source": {"type": "kafka", "topics": ["secret-pins"], "auth": "plain", "username": "%s",
                            "password": "${KSF_KAFKA_PASSWORD}", "truststore.password": "${KSF_TRUSTSTORE_PASSWORD}",
                            "properties": {"bootstrap.servers": "%s", "group.id": "secret-sasl",
                                           "security.protocol": "SASL_PLAINTEXT"}},
                 "target": {"type": "s3", "bucket": "secret-bucket", "endpoint": "%s", "path.style": true,
                            "region": "%s"},
                 "pipeline": {"flush.records": 500, "flush.interval": "1s"}}
                """.formatted(EmbeddedKafka.SASL_USER, kafka.saslBootstrapServers(), s3.endpoint(), EmbeddedS3.REGION));
        // a JAAS config written out in the properties, to DocumentDB with a password in the connection string
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\\\"someone\\\" "
                + "password=\\\"" + JAAS_PASSWORD + "\\\";";
        Path jaasToDocDb = Files.writeString(dir.resolve("jaas-docdb.json"), """
                {"name": "secret-jaas",
                 "source": {"type": "kafka", "topics": ["secret-pins"],
                            "properties": {"bootstrap.servers": "%s", "group.id": "secret-jaas",
                                           "sasl.jaas.config": "%s"}},
                 "target": {"type": "docdb", "connection.string": "${KSF_DOCDB_URI}", "database": "secret",
                            "collection": "pins"},
                 "pipeline": {"flush.records": 500, "flush.interval": "1s"}}
                """.formatted(kafka.bootstrapServers(), jaas));
        String docdbUri = mongo.connectionString().replace("mongodb://", "mongodb://ksf:" + DOCDB_PASSWORD + "@");
        Map<String, String> environment = Map.of("KSF_KAFKA_PASSWORD", EmbeddedKafka.SASL_PASSWORD,
                "KSF_TRUSTSTORE_PASSWORD", TRUSTSTORE_PASSWORD, "KSF_DOCDB_URI", docdbUri,
                "AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_KEY,
                "AWS_REGION", EmbeddedS3.REGION);

        List<String> outputs = new ArrayList<>();
        for (Path config : List.of(saslToS3, jaasToDocDb)) {
            outputs.add(ksf(logback, environment, "validate", "--config", config.toString()));
            outputs.add(ksf(logback, environment, "check", "--config", config.toString()));
        }
        outputs.add(run(logback, environment, saslToS3, kafka));
        // the test's MongoDB-wire server has no users, so this run fails authenticating: the error path, at DEBUG
        String failed = ksf(logback, environment, "run", "--config", jaasToDocDb.toString(), "--http-port", "0");
        assertThat(failed).contains("FAIL  target collection secret.pins: authentication failed");
        outputs.add(failed);

        long lines = outputs.stream().mapToLong(output -> output.lines().count()).sum();
        System.out.printf("secrets: %d outputs at DEBUG, %,d lines, secret values found: %d%n", outputs.size(), lines,
                outputs.stream().filter(o -> o.contains(EmbeddedKafka.SASL_PASSWORD) || o.contains(JAAS_PASSWORD)
                        || o.contains(TRUSTSTORE_PASSWORD) || o.contains(DOCDB_PASSWORD)
                        || o.contains(EmbeddedS3.SECRET_KEY)).count());
        assertThat(lines).as("lines logged at DEBUG").isGreaterThan(1_000);
        assertThat(outputs.get(1)).contains("every check passed");
        for (String output : outputs) {
            assertThat(output).doesNotContain(EmbeddedKafka.SASL_PASSWORD, JAAS_PASSWORD, TRUSTSTORE_PASSWORD,
                    DOCDB_PASSWORD, EmbeddedS3.SECRET_KEY);
        }
    }

    private Process start(Path logback, Map<String, String> environment, String... args) throws IOException {
        Path log = Files.createTempFile(dir, "ksf-", ".log");
        Process process = KsfProcess.start(log, List.of("-Dlogback.configurationFile=" + logback), environment, args);
        logs.put(process, log);
        return process;
    }

    private final Map<Process, Path> logs = new java.util.HashMap<>();

    private String ksf(Path logback, Map<String, String> environment, String... args) throws Exception {
        Process process = start(logback, environment, args);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return Files.readString(logs.get(process));
    }

    private String run(Path logback, Map<String, String> environment, Path config, EmbeddedKafka kafka)
            throws Exception {
        String group = "secret-sasl";
        Process process = start(logback, environment, "run", "--config", config.toString(), "--http-port", "0",
                "--progress-interval", "1");
        try {
            Wait.until(() -> kafka.committed(group, "secret-pins").equals(kafka.endOffsets("secret-pins"))
                    || !process.isAlive(), Duration.ofSeconds(60), group + " to commit everything");
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        String output = Files.readString(logs.get(process));
        assertThat(kafka.committed(group, "secret-pins")).as(output).isEqualTo(kafka.endOffsets("secret-pins"));
        return output;
    }
}
