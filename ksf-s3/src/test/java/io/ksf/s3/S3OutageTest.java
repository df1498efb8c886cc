package io.ksf.s3;

import io.ksf.contract.Wait;
import io.ksf.format.json.JsonFormat;
import io.ksf.kafka.KafkaSourceFactory;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineSettings.Mode;
import io.ksf.s3.S3Clients;
import io.ksf.spi.Options;
import io.ksf.support.Retry;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.FaultProxy.Fault;
import io.ksf.testkit.FaultProxy;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.params.ParameterizedTest;
import org.apache.kafka.common.TopicPartition;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * S3 answering 503 SlowDown, 500, resetting connections or stalling 5 s per request for a while, in both modes:
 * no committed offset ever passes what the bucket holds (checked while it runs), and everything arrives after.
 */
@ExtendWith({KafkaBroker.class, S3Server.class})
class S3OutageTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"SYNC, SLOW_DOWN_503", "ASYNC, SLOW_DOWN_503", "SYNC, INTERNAL_ERROR_500", "ASYNC, INTERNAL_ERROR_500",
            "SYNC, RESET", "ASYNC, RESET", "SYNC, DELAY", "ASYNC, DELAY"})
    void noOffsetPassesWhatIsStoredAndEverythingArrivesAfterTheOutage(Mode mode, Fault fault, EmbeddedKafka kafka,
                                                                      EmbeddedS3 s3) {
        String topic = ("outage-" + mode + "-" + fault).toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        kafka.createTopic(topic, 2);
        List<String> values = IntStream.range(0, 4_000).mapToObj(n -> "{\"n\":" + n + "}").toList();
        kafka.produce(topic, 2, values.subList(0, 2_000));
        String bucket = S3Buckets.create(s3, "outage");
        List<String> violations = new ArrayList<>();
        int checks = 0;
        int faulted;
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint())) {
            S3Target target = new S3Target(S3Clients.create(EmbeddedS3.REGION, proxy.endpoint(), true),
                    new S3Target.Settings(bucket, "", new JsonFormat(), ObjectPartitioner.byKafkaPartition(), 500, 0,
                            Duration.ZERO, Duration.ZERO, 8L << 20, 64L << 20, ObjectCompression.NONE, null, null,
                            new Retry(Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofMillis(500))));
            KafkaSourceFactory factory = new KafkaSourceFactory();
            Pipeline pipeline = Pipeline.builder()
                    .source(factory.create(Options.of("source", factory.options(), Map.of("topics", List.of(topic),
                            "properties", Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", topic))),
                            null), new JsonFormat())
                    .target(target).mode(mode).flushEvery(500, 64L << 20, Duration.ofSeconds(1)).build();

            try (RunningPipeline running = RunningPipeline.start(pipeline)) {
                running.awaitUntil(() -> !kafka.committed(topic, topic).isEmpty(), Duration.ofSeconds(30));
                proxy.delay(Duration.ofSeconds(5));
                proxy.failFor(fault, Duration.ofSeconds(fault == Fault.DELAY ? 8 : 3));
                kafka.produce(topic, 2, values.subList(2_000, 4_000));
                Wait.until(() -> proxy.faulted() >= 2, Duration.ofSeconds(30), "S3 requests to fail");
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (!kafka.committed(topic, topic).equals(kafka.endOffsets(topic))) {
                    assertThat(System.nanoTime() - deadline).as("everything committed within 90 s").isNegative();
                    // committed first, then the bucket: what the bucket holds can only have grown since
                    Map<TopicPartition, Long> committed = kafka.committed(topic, topic);
                    Map<Integer, Set<Long>> stored = storedOffsets(s3, bucket);
                    committed.forEach((tp, next) -> {
                        for (long offset = 0; offset < next; offset++) {
                            if (!stored.getOrDefault(tp.partition(), Set.of()).contains(offset)) {
                                violations.add(tp + " committed " + next + " but offset " + offset + " is not stored");
                                return;
                            }
                        }
                    });
                    checks++;
                }
                running.stop();
            }
            faulted = proxy.faulted();
        }
        List<String> stored = S3Buckets.objects(s3, bucket).values().stream()
                .flatMap(String::lines).sorted().toList();
        System.out.printf("store-outage: mode %s, fault %s, faults injected %d, bucket checked %d times while "
                        + "running, violations %d, records %d, stored %d%n", mode, fault, faulted, checks,
                violations.size(), values.size(), stored.size());
        assertThat(checks).as("bucket checks while the pipeline ran").isPositive();
        assertThat(violations).isEmpty();
        assertThat(stored).isEqualTo(values.stream().sorted().toList());
    }

    /** Offsets stored per partition: value n was produced to partition n % 2 at offset n / 2. */
    private static Map<Integer, Set<Long>> storedOffsets(EmbeddedS3 s3, String bucket) {
        Map<String, String> objects = null;
        for (int attempt = 1; objects == null; attempt++) {
            try {
                objects = S3Buckets.objects(s3, bucket);
            } catch (NoSuchKeyException listedWhileAnUploadRewritesIt) {
                // the S3 server's file store shows a key that a retried PUT is rewriting; list again
                assertThat(attempt).as("listings that met a key being rewritten").isLessThan(20);
            }
        }
        Map<Integer, Set<Long>> offsets = new HashMap<>();
        objects.values().stream().flatMap(String::lines).forEach(line -> {
            long n = Long.parseLong(line.replaceAll("[^0-9]", ""));
            offsets.computeIfAbsent((int) (n % 2), p -> new HashSet<>()).add(n / 2);
        });
        return offsets;
    }
}
