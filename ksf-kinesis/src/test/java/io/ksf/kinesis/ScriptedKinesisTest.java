package io.ksf.kinesis;

import io.ksf.contract.InMemoryTarget;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.testkit.EmbeddedKinesis;
import io.ksf.testkit.KinesisServer;
import io.ksf.testkit.RunningPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What kinesis-local never does, scripted around it: GetRecords throttled (ProvisionedThroughputExceeded) and an
 * expired iterator. The source backs off, takes a new iterator after the last record it handed out, and loses or
 * repeats nothing.
 */
@ExtendWith(KinesisServer.class)
class ScriptedKinesisTest {
    static {
        EmbeddedKinesis.useAsDefaultCredentials();
    }

    @TempDir
    Path dir;

    /** The real server, with GetRecords calls 1 to 3 throttled and call 6 failing with an expired iterator. */
    private static final class Scripted implements KinesisClient {
        private final KinesisClient real;
        private int getRecordsCalls;
        final List<String> failures = new ArrayList<>();
        final List<GetShardIteratorRequest> iterators = new ArrayList<>();

        Scripted(KinesisClient real) {
            this.real = real;
        }

        @Override
        public GetRecordsResponse getRecords(GetRecordsRequest request) {
            int call = ++getRecordsCalls;
            if (call <= 3) {
                failures.add("throttled");
                throw ProvisionedThroughputExceededException.builder().message("Rate exceeded for shard").build();
            }
            if (call == 6) {
                failures.add("expired");
                throw ExpiredIteratorException.builder().message("Iterator expired").build();
            }
            return real.getRecords(request.toBuilder().limit(7).build()); // small pages, so call 6 is mid-stream
        }

        @Override
        public GetShardIteratorResponse getShardIterator(GetShardIteratorRequest request) {
            iterators.add(request);
            return real.getShardIterator(request);
        }

        @Override
        public ListShardsResponse listShards(ListShardsRequest request) {
            return real.listShards(request);
        }

        @Override
        public String serviceName() {
            return real.serviceName();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void throttlingBacksOffAndAnExpiredIteratorResumesAfterTheLastRecordHandedOut(EmbeddedKinesis kinesis) {
        KinesisClient client = KinesisSourceTest.client(kinesis);
        KinesisSourceTest.createStream(client, "scripted", 1);
        KinesisSourceTest.put(client, "scripted", KinesisSourceTest.values("r-", 0, 50));
        Scripted scripted = new Scripted(KinesisSourceTest.client(kinesis));
        KinesisSource.Settings settings = new KinesisSource.Settings("scripted",
                KinesisSource.InitialPosition.TRIM_HORIZON, null, 10_000, 5, Duration.ofSeconds(10), 10_000);
        InMemoryTarget target = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().source(KinesisSource.withFileCheckpoints(scripted, settings,
                        dir.resolve("scripted.json")), new BytesFormat("\n"))
                .target(target).flushEvery(10, 1 << 20, Duration.ofMillis(100)).pollTimeout(Duration.ofMillis(100))
                .build();
        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> target.stored().size() >= 50, Duration.ofSeconds(60));
        }

        assertThat(target.stored().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList())
                .containsExactlyElementsOf(KinesisSourceTest.values("r-", 0, 50));
        assertThat(scripted.failures).containsExactly("throttled", "throttled", "throttled", "expired");
        GetShardIteratorRequest renewed = scripted.iterators.get(scripted.iterators.size() - 1);
        assertThat(renewed.shardIteratorType()).isEqualTo(ShardIteratorType.AFTER_SEQUENCE_NUMBER);
        // two pages of 7 came before the expiry: the new iterator starts after the 14th record
        assertThat(renewed.startingSequenceNumber()).isEqualTo(new String(target.stored().get(13)
                .header(KinesisSource.SEQUENCE_HEADER).value(), StandardCharsets.UTF_8));
        client.close();
    }
}
