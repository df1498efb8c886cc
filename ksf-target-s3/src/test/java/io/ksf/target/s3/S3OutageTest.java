package io.ksf.target.s3;

import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.Retry;
import io.ksf.source.kafka.KafkaSourceFactory;
import io.ksf.spi.Options;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.FaultProxy;
import io.ksf.testkit.FaultProxy.Fault;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import io.ksf.testkit.S3Server;
import io.ksf.testkit.Wait;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** S3 answering 503 SlowDown, 500 or resetting connections for a while: nothing commits until objects are stored. */
@ExtendWith({KafkaBroker.class, S3Server.class})
class S3OutageTest {

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"SLOW_DOWN_503", "INTERNAL_ERROR_500", "RESET"})
    void noOffsetAdvancesUntilTheObjectsAreStoredThenEverythingArrives(Fault fault, EmbeddedKafka kafka,
                                                                       EmbeddedS3 s3) {
        String topic = "outage-" + fault.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        kafka.createTopic(topic, 2);
        List<String> values = IntStream.range(0, 2_000).mapToObj(n -> "{\"n\":" + n + "}").toList();
        kafka.produce(topic, 2, values);
        String bucket = S3Buckets.create(s3, "outage");
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint())) {
            S3Target target = new S3Target(S3Clients.create(EmbeddedS3.REGION, proxy.endpoint(), true),
                    new S3Target.Settings(bucket, "", new JsonFormat(), ObjectPartitioner.byKafkaPartition(), 500, 0,
                            Duration.ZERO, Duration.ZERO, 8L << 20, false, null, null,
                            new Retry(Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofMillis(500))), false);
            KafkaSourceFactory factory = new KafkaSourceFactory();
            Pipeline pipeline = Pipeline.builder()
                    .source(factory.create(Options.of("source", factory.options(), Map.of("topics", List.of(topic),
                            "properties", Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", topic))),
                            null), new JsonFormat())
                    .target(target).flushEvery(500, 64L << 20, Duration.ofSeconds(1)).build();

            proxy.failFor(fault, Duration.ofSeconds(3));
            try (RunningPipeline running = RunningPipeline.start(pipeline)) {
                Wait.until(() -> proxy.faulted() >= 3, Duration.ofSeconds(30), "S3 requests to fail");
                assertThat(kafka.committed(topic, topic)).as("committed while S3 fails").isEmpty();
                assertThat(S3Buckets.objects(s3, bucket)).as("objects while S3 fails").isEmpty();

                running.awaitUntil(() -> kafka.committed(topic, topic).equals(kafka.endOffsets(topic)),
                        Duration.ofSeconds(60)).stop();
            }
        }
        List<String> stored = S3Buckets.objects(s3, bucket).values().stream()
                .flatMap(String::lines).sorted().toList();
        assertThat(stored).isEqualTo(values.stream().sorted().toList());
    }
}
