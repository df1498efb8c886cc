package io.ksf.s3;

import io.ksf.contract.DelegatingSource;
import io.ksf.contract.InMemorySource;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineSettings.Mode;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.support.Retry;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.RunningPipeline;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run that stored objects and crashed before committing them, then a replay that flushes at other offsets: the
 * objects past the commit are found and replaced, so every record ends in exactly one object.
 */
@ExtendWith(S3Server.class)
class S3RecoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static List<KsfRecord> input() {
        List<KsfRecord> records = new ArrayList<>();
        for (int n = 0; n < 1_200; n++) {
            records.add(KsfRecord.of("pins", n % 2, n / 2, "{\"n\":" + n + ",\"kind\":\"k" + n % 3 + "\"}"));
        }
        return records;
    }

    private static S3Target target(EmbeddedS3 s3, String bucket, String layout) {
        boolean byField = layout.equals("field");
        // objects are also cut every 25 records, so one flush stores several objects per partition
        return new S3Target(S3Buckets.client(s3), new S3Target.Settings(bucket, "curated/", new JsonFormat(),
                byField ? ObjectPartitioner.byField("kind") : ObjectPartitioner.byKafkaPartition(), 25, 0,
                Duration.ZERO, Duration.ZERO, 8L << 20, 64L << 20, ObjectCompression.NONE, null, null,
                new Retry(Duration.ofSeconds(10), Duration.ofMillis(50))));
    }

    @ParameterizedTest
    @CsvSource({"SYNC, partition", "ASYNC, partition", "SYNC, field", "ASYNC, field"})
    void aReplayReplacesEveryObjectStoredPastTheCommit(Mode mode, String layout, EmbeddedS3 s3) {
        String bucket = S3Buckets.create(s3, "recovery-" + layout);
        List<KsfRecord> input = input();

        InMemorySource first = new InMemorySource(input, Positions.empty(), 40);
        AtomicInteger commits = new AtomicInteger();
        Pipeline crashing = Pipeline.builder().source(new DelegatingSource(first) {
            @Override
            public void commit(Positions positions) {
                if (commits.incrementAndGet() == 1) { // later commits are lost, as in a crash before them
                    super.commit(positions);
                }
            }
        }, new JsonFormat()).target(target(s3, bucket, layout)).mode(mode)
                .flushEvery(100, 1 << 20, Duration.ofHours(1)).build();
        try (RunningPipeline running = RunningPipeline.start(crashing)) {
            running.awaitUntil(() -> crashing.stats().recordsIn() == input.size(), WAIT).stop();
        }
        long committed = first.committed().asMap().values().stream().mapToLong(Long::longValue).sum();
        assertThat(committed).isBetween(1L, input.size() - 1L);

        InMemorySource replay = new InMemorySource(input, first.committed(), 33);
        Pipeline second = Pipeline.builder().source(replay, new JsonFormat()).target(target(s3, bucket, layout))
                .mode(mode).flushEvery(70, 1 << 20, Duration.ofHours(1)).build();
        try (RunningPipeline running = RunningPipeline.start(second)) {
            running.awaitUntil(() -> second.stats().recordsIn() == input.size() - committed, WAIT).stop();
        }

        List<String> stored = S3Buckets.objects(s3, bucket).values().stream().flatMap(String::lines).sorted().toList();
        assertThat(stored).isEqualTo(input.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .sorted().toList());
        assertThat(replay.committed()).isEqualTo(replay.endPositions());
    }
}
