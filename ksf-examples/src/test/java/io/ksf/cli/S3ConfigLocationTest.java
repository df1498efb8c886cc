package io.ksf.cli;

import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.S3Server;
import io.ksf.s3.S3Clients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The release-1 ECS task reads its config from S3: {@code configFileLocation=s3://bucket/key}. */
@ExtendWith(S3Server.class)
class S3ConfigLocationTest {

    @Test
    void aConfigIsReadFromS3AndValidatedWithoutConnectingToKafka(EmbeddedS3 s3) throws IOException {
        EmbeddedS3.useAsDefaultCredentials();
        try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            client.createBucket(b -> b.bucket("configs"));
            client.putObject(b -> b.bucket("configs").key("ksf/release1.json"),
                    RequestBody.fromString(Files.readString(Path.of("configs/release1-kafka-to-s3.json"))));
        }
        Map<String, String> environment = Map.of("configFileLocation", "s3://configs/ksf/release1.json",
                "AWS_ENDPOINT_URL_S3", s3.endpoint().toString());

        String summary = new ConfigOption().plan(environment::get).summary();

        assertThat(summary).contains("source      kafka", "target      s3", "bucket=bucketname");
    }
}
