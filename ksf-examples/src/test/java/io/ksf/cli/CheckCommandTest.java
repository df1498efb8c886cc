package io.ksf.cli;

import io.ksf.s3.S3Clients;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedMongo;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.MongoWireServer;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ksf check} against real servers: what passes, and for each misconfiguration a line that names the cause. */
@ExtendWith({KafkaBroker.class, S3Server.class, MongoWireServer.class})
class CheckCommandTest {
    private final StringWriter out = new StringWriter();

    @TempDir
    Path dir;

    @BeforeAll
    static void credentials(EmbeddedKafka kafka) {
        EmbeddedS3.useAsDefaultCredentials();
        kafka.createTopic("checked", 3);
    }

    private int check(String source, String target) throws IOException {
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": %s, "target": %s, "errors": {"deadletter": {"type": "file", "path": "%s"}}}
                """.formatted(source, target, dir.resolve("dead")));
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(out));
        return commandLine.execute("check", "--config", config.toString(), "--timeout", "3");
    }

    private static String kafka(String servers, String topic, String auth) {
        return """
                {"type": "kafka", "topics": ["%s"], %s
                 "properties": {"bootstrap.servers": "%s", "group.id": "check-group"}}
                """.formatted(topic, auth, servers);
    }

    private static String s3(EmbeddedS3 s3, String endpoint, String bucket) {
        return """
                {"type": "s3", "bucket": "%s", "prefix": "curated/", "endpoint": "%s", "path.style": true,
                 "region": "%s"}
                """.formatted(bucket, endpoint, EmbeddedS3.REGION);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aGoodConfigPassesEveryCheckAndLeavesNoProbeBehind(EmbeddedKafka kafka, EmbeddedS3 s3) throws IOException {
        try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            client.createBucket(b -> b.bucket("checked-bucket"));
            int exit = check(kafka(kafka.bootstrapServers(), "checked", ""),
                    s3(s3, s3.endpoint().toString(), "checked-bucket"));

            assertThat(exit).as(out.toString()).isZero();
            assertThat(out.toString()).contains(
                    "OK    source kafka " + kafka.bootstrapServers() + ": connected and authenticated (PLAINTEXT)",
                    "OK    source topic checked: 3 partition(s)",
                    "OK    source group check-group: no offsets committed yet",
                    "OK    target s3://checked-bucket/curated/: the bucket takes a write",
                    "OK    deadletter folder " + dir.resolve("dead") + ": takes a write",
                    "every check passed");
            assertThat(client.listObjectsV2(b -> b.bucket("checked-bucket")).contents()).isEmpty();
        }
    }

    @Test
    void saslCredentialsAgainstAPlaintextListenerAreNamedAsSuch(EmbeddedKafka kafka, EmbeddedS3 s3)
            throws IOException {
        int exit = check(kafka(kafka.bootstrapServers(), "checked",
                "\"auth\": \"plain\", \"username\": \"ksf\", \"password\": \"sasl-secret-1\","),
                s3(s3, s3.endpoint().toString(), "any"));

        assertThat(exit).isEqualTo(1);
        // auth plain is SASL over TLS, as MSK and Confluent Cloud serve it
        assertThat(out.toString()).contains("FAIL  source kafka " + kafka.bootstrapServers() + ": no answer from the "
                        + "cluster within 3000 ms: the listener at " + kafka.bootstrapServers() + " answers plaintext "
                        + "Kafka requests, so it is not a TLS listener (security.protocol is SASL_SSL); is it a "
                        + "PLAINTEXT listener?")
                .doesNotContain("sasl-secret-1");

        out.getBuffer().setLength(0);
        exit = check("""
                {"type": "kafka", "topics": ["checked"], "auth": "plain", "username": "ksf", "password": "sasl-secret-1",
                 "properties": {"bootstrap.servers": "%s", "group.id": "g", "security.protocol": "SASL_PLAINTEXT"}}
                """.formatted(kafka.bootstrapServers()), s3(s3, s3.endpoint().toString(), "any"));
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL  source kafka " + kafka.bootstrapServers() + ": the listener at "
                        + kafka.bootstrapServers() + " refused the SASL handshake")
                .contains("is it a PLAINTEXT listener? (security.protocol is SASL_PLAINTEXT)")
                .doesNotContain("sasl-secret-1");
    }

    @Test
    void aPlaintextClientAgainstASaslListenerIsToldToAuthenticate(EmbeddedKafka kafka, EmbeddedS3 s3)
            throws IOException {
        int exit = check(kafka(kafka.saslBootstrapServers(), "checked", ""), s3(s3, s3.endpoint().toString(), "x"));

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("closes the connection before authentication; it expects SASL");
    }

    @Test
    void aPlaintextClientAgainstATlsListenerIsToldItIsTls(EmbeddedKafka kafka, EmbeddedS3 s3) throws IOException {
        int exit = check(kafka(kafka.sslBootstrapServers(), "checked", ""), s3(s3, s3.endpoint().toString(), "x"));

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("closed the connection on a plaintext Kafka request; is it a TLS listener?");
    }

    @Test
    void anUnreachableBrokerAndAnUnreachableS3EndpointAreNamed(EmbeddedS3 s3) throws IOException {
        int kafkaPort = closedPort();
        int s3Port = closedPort();
        int exit = check(kafka("127.0.0.1:" + kafkaPort, "checked", ""),
                s3(s3, "http://127.0.0.1:" + s3Port, "any"));

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL  source kafka 127.0.0.1:" + kafkaPort + ": nothing listens at 127.0.0.1:"
                        + kafkaPort + " (connection refused)")
                .contains("FAIL  target s3://any/curated/: cannot reach the S3 endpoint")
                .contains("2 of 3 checks failed");
    }

    @Test
    void aMissingTopicAndAMissingBucketAreNamed(EmbeddedKafka kafka, EmbeddedS3 s3) throws IOException {
        int exit = check(kafka(kafka.bootstrapServers(), "no-such-topic", ""),
                s3(s3, s3.endpoint().toString(), "no-such-bucket"));

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL  source topic no-such-topic: does not exist on the cluster")
                .contains("FAIL  target s3://no-such-bucket/curated/: the bucket does not exist (404");
    }

    @Test
    void aDocumentDbOnAClosedPortIsNamedAndAGoodOneTakesAWrite(EmbeddedKafka kafka, EmbeddedMongo mongo)
            throws IOException {
        int port = closedPort();
        int exit = check(kafka(kafka.bootstrapServers(), "checked", ""), """
                {"type": "docdb", "connection.string": "mongodb://ksf:docdb-secret-9@127.0.0.1:%d/?serverSelectionTimeoutMS=2000",
                 "database": "pins", "collection": "posts"}
                """.formatted(port));
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL  target collection pins.posts: no server answered within 3000 ms")
                .doesNotContain("docdb-secret-9");

        out.getBuffer().setLength(0);
        exit = check(kafka(kafka.bootstrapServers(), "checked", ""), """
                {"type": "docdb", "connection.string": "%s", "database": "pins", "collection": "posts"}
                """.formatted(mongo.connectionString()));
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("OK    target collection pins.posts: takes a write");
    }
}
