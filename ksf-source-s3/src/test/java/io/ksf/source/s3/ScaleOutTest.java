package io.ksf.source.s3;

import io.ksf.format.bytes.BytesFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.s3.S3Clients;
import io.ksf.spi.KsfRecord;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.InMemoryTarget;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import io.ksf.testkit.S3Server;
import io.ksf.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Two instances share the objects through the group on the checkpoint topic; one stops, the other takes its share. */
@ExtendWith({KafkaBroker.class, S3Server.class})
class ScaleOutTest {
    private static final int LINES = 500;
    private static final Duration WAIT = Duration.ofSeconds(60);

    static {
        EmbeddedS3.useAsDefaultCredentials();
    }

    private static void upload(S3Client client, int n) {
        String text = String.join("\n", IntStream.range(n * LINES, (n + 1) * LINES).mapToObj(i -> "line " + i)
                .toList()) + "\n";
        client.putObject(b -> b.bucket("shared").key("in/part-%03d.txt".formatted(n)),
                RequestBody.fromString(text, StandardCharsets.UTF_8));
    }

    private static Pipeline instance(EmbeddedS3 s3, EmbeddedKafka kafka, InMemoryTarget target, String name) {
        S3Source.Settings settings = new S3Source.Settings("shared", "in/", null, S3Source.Records.LINES, 1 << 20,
                Duration.ofMillis(100), Duration.ofMillis(500), 1000, 200);
        Properties properties = new Properties();
        properties.put("bootstrap.servers", kafka.bootstrapServers());
        properties.put("session.timeout.ms", "6000");
        S3Source source = S3Source.withKafkaCheckpoints(S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true),
                settings, properties, "shared-checkpoints", 12, "shared-readers");
        return Pipeline.builder().name(name).source(source, new BytesFormat("\n")).target(target)
                .flushEvery(300, 1 << 20, Duration.ofMillis(200)).build();
    }

    private static int membersWithShards(EmbeddedKafka kafka) {
        try {
            return (int) kafka.admin().describeConsumerGroups(List.of("shared-readers")).all().get()
                    .get("shared-readers").members().stream()
                    .filter(member -> !member.assignment().topicPartitions().isEmpty()).count();
        } catch (InterruptedException | ExecutionException e) {
            return 0;
        }
    }

    private static List<String> values(InMemoryTarget... targets) {
        List<String> values = new ArrayList<>();
        for (InMemoryTarget target : targets) {
            for (KsfRecord record : target.stored()) {
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    @Test
    void twoInstancesShareTheObjectsAndTheOtherTakesTheShareOfOneThatStops(EmbeddedS3 s3, EmbeddedKafka kafka) {
        S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true);
        client.createBucket(b -> b.bucket("shared"));
        InMemoryTarget first = new InMemoryTarget();
        InMemoryTarget second = new InMemoryTarget();
        try (RunningPipeline a = RunningPipeline.start(instance(s3, kafka, first, "reader-a"));
             RunningPipeline b = RunningPipeline.start(instance(s3, kafka, second, "reader-b"))) {
            Wait.until(() -> membersWithShards(kafka) == 2, WAIT, "both instances owning shards");
            for (int n = 0; n < 12; n++) {
                upload(client, n);
            }
            Wait.until(() -> values(first, second).size() >= 12 * LINES, WAIT, "every line of 12 objects");
            assertThat(values(first)).as("lines read by the first instance").isNotEmpty();
            assertThat(values(second)).as("lines read by the second instance").isNotEmpty();

            a.stop(); // its shards go to the other instance at the rebalance
            for (int n = 12; n < 24; n++) {
                upload(client, n);
            }
            Wait.until(() -> values(first, second).size() >= 24 * LINES, WAIT, "every line of 24 objects");
        }

        List<String> all = values(first, second);
        assertThat(new HashSet<>(all)).hasSize(24 * LINES);
        assertThat(all).hasSize(24 * LINES);
        client.close();
    }
}
