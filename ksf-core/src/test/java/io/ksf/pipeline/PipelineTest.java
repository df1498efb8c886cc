package io.ksf.pipeline;

import io.ksf.contract.DelegatingSource;
import io.ksf.contract.InMemorySource;
import io.ksf.contract.InMemoryTarget;
import io.ksf.contract.RunningTask;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.pipeline.PipelineSettings.Tolerance;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourcePartition;
import io.ksf.support.DeadLetters;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final BytesFormat BYTES = new BytesFormat("\n");

    private static List<KsfRecord> records(int partitions, int perPartition) {
        List<KsfRecord> records = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (int o = 0; o < perPartition; o++) {
                records.add(KsfRecord.of("orders", p, o, "order-" + p + "-" + o));
            }
        }
        return records;
    }

    private static List<String> values(List<KsfRecord> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aBuilderNamesWhatIsMissingAndRejectsABadValueWhereItIsGiven() {
        assertThatThrownBy(() -> Pipeline.builder().target(new InMemoryTarget()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("PipelineBuilder: no source; call source(source, format) before build()");
        assertThatThrownBy(() -> Pipeline.builder().source(new InMemorySource(records(1, 1)), BYTES).build())
                .hasMessage("PipelineBuilder: no target; call target(target) before build()");
        assertThatThrownBy(() -> Pipeline.builder().flushEvery(0, 1, Duration.ofSeconds(1)))
                .hasMessage("pipeline.flush.records: expected at least 1, found 0");
        assertThatThrownBy(() -> Pipeline.builder().source(new InMemorySource(records(1, 1)), null))
                .isInstanceOf(NullPointerException.class).hasMessage("source format");
    }

    @Test
    void callsOfTheBuilderWinOverSettingsWhateverTheirOrder() {
        PipelineSettings fromConfig = PipelineSettings.defaults().withFlush(7, 1 << 20, Duration.ofSeconds(9))
                .withTolerance(Tolerance.NONE);
        Pipeline before = Pipeline.builder().source(new InMemorySource(records(1, 1)), BYTES)
                .target(new InMemoryTarget()).mode(PipelineSettings.Mode.ASYNC).tolerance(Tolerance.ALL)
                .deadLetter(new InMemoryTarget()).settings(fromConfig).build();
        Pipeline after = Pipeline.builder().source(new InMemorySource(records(1, 1)), BYTES)
                .target(new InMemoryTarget()).settings(fromConfig).mode(PipelineSettings.Mode.ASYNC).build();

        assertThat(before.settings().mode()).isEqualTo(PipelineSettings.Mode.ASYNC);
        assertThat(before.settings().tolerance()).isEqualTo(Tolerance.ALL);
        assertThat(before.settings().flushRecords()).isEqualTo(7);
        assertThat(after.settings().mode()).isEqualTo(PipelineSettings.Mode.ASYNC);
        assertThat(after.settings().flushRecords()).isEqualTo(7);
        before.close();
        after.close();
    }

    @Test
    void aProcessorThatReturnsNullSendsTheRecordToTheDeadLettersNamingIt() {
        InMemorySource source = new InMemorySource(records(1, 10));
        InMemoryTarget target = new InMemoryTarget();
        InMemoryTarget deadLetters = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES)
                .processor(new NullOnFive()).target(target).deadLetter(deadLetters).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 10, WAIT).stop();
        }
        assertThat(target.stored()).hasSize(9);
        assertThat(deadLetters.stored()).singleElement().satisfies(letter -> assertThat(new String(
                letter.headers().stream().filter(h -> h.key().equals(DeadLetters.ERROR_MESSAGE)).findFirst()
                        .orElseThrow().value(), StandardCharsets.UTF_8))
                .isEqualTo("processor io.ksf.pipeline.PipelineTest$NullOnFive returned null instead of a list of "
                        + "records (List.of() drops a record)"));
        assertThat(source.committed()).isEqualTo(source.endPositions());
    }

    private static final class NullOnFive implements io.ksf.spi.Processor {
        @Override
        public List<KsfRecord> process(KsfRecord record) {
            return record.offset() == 5 ? null : List.of(record);
        }
    }

    @Test
    void twoPipelinesOfOneNameInOneRegistryEachReadTheirOwnMetersWhichCloseRemoves() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        InMemorySource firstSource = new InMemorySource(records(1, 300));
        Pipeline first = Pipeline.builder().source(firstSource, BYTES).target(new InMemoryTarget())
                .meterRegistry(registry).build();
        Pipeline second = Pipeline.builder().source(new InMemorySource(records(2, 50)), BYTES)
                .target(new InMemoryTarget()).meterRegistry(registry).memoryBudget(1_234).build();
        try (RunningTask<PipelineStats> running = PipelineThread.start(first)) {
            running.awaitUntil(() -> registry.get("ksf.records.in").tag("pipeline", "ksf").counter().count() == 300,
                    WAIT);
            assertThat(registry.get("ksf.records.in").tag("pipeline", "ksf-2").counter().count()).isZero();
            assertThat(registry.get("ksf.memory.budget.bytes").tag("pipeline", "ksf-2").gauge().value())
                    .isEqualTo(1_234);
        }
        second.close();

        assertThat(registry.getMeters()).as("meters left after both pipelines closed").isEmpty();
        Pipeline third = Pipeline.builder().source(new InMemorySource(records(1, 1)), BYTES)
                .target(new InMemoryTarget()).meterRegistry(registry).build();
        assertThat(registry.get("ksf.records.in").tag("pipeline", "ksf").counter().count()).isZero();
        third.close();
    }

    @Test
    void everyRecordArrivesOnceAndTheCommittedOffsetsEqualTheEndOffsets() {
        List<KsfRecord> input = records(3, 1000);
        InMemorySource source = new InMemorySource(input, Positions.empty(), 128);
        InMemoryTarget target = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES).target(target)
                .flushEvery(250, 1 << 20, Duration.ofMinutes(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 3000, WAIT);
            PipelineStats stats = running.stop();
            assertThat(stats.recordsIn()).isEqualTo(3000);
            assertThat(stats.recordsWritten()).isEqualTo(3000);
        }
        assertThat(values(target.stored())).containsExactlyInAnyOrderElementsOf(values(input));
        assertThat(source.committed()).isEqualTo(source.endPositions());
        assertThat(source.isClosed()).isTrue();
        assertThat(target.isClosed()).isTrue();
    }

    @Test
    void everyCommitCoversOnlyRecordsTheTargetHadAlreadyStored() {
        List<KsfRecord> input = records(2, 500);
        InMemoryTarget target = new InMemoryTarget();
        List<String> violations = new CopyOnWriteArrayList<>();
        InMemorySource source = new InMemorySource(input, Positions.empty(), 64);
        Source checking = new DelegatingSource(source) {
            @Override
            public void commit(Positions positions) {
                positions.asMap().forEach((tp, next) -> {
                    long storedBelow = target.stored().stream()
                            .filter(r -> r.topicPartition().equals(tp) && r.offset() < next).count();
                    if (storedBelow != next) {
                        violations.add(tp + " committed " + next + " with " + storedBelow + " stored");
                    }
                });
                super.commit(positions);
            }
        };
        Pipeline pipeline = Pipeline.builder().source(checking, BYTES).target(target)
                .flushEvery(100, 1 << 20, Duration.ofMinutes(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 1000, WAIT).stop();
        }
        assertThat(violations).isEmpty();
        assertThat(source.commits()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aPoisonRecordGoesToTheDeadLettersWithItsOriginAndTheOthersArrive() {
        List<KsfRecord> input = records(2, 50);
        InMemorySource source = new InMemorySource(input);
        InMemoryTarget target = new InMemoryTarget();
        InMemoryTarget deadLetters = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES)
                .processor(record -> {
                    if (new String(record.value(), StandardCharsets.UTF_8).equals("order-1-17")) {
                        throw new InvalidRecordException("amount is negative");
                    }
                    return List.of(record);
                })
                .target(target).deadLetter(deadLetters).flushEvery(10, 1 << 20, Duration.ofMinutes(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(source::fullyCommitted, WAIT);
            assertThat(running.stop().recordsDeadLettered()).isEqualTo(1);
        }
        assertThat(target.stored()).hasSize(99).noneMatch(r -> r.partition() == 1 && r.offset() == 17);
        assertThat(deadLetters.stored()).singleElement().satisfies(dead -> {
            assertThat(dead.topic()).isEqualTo("orders");
            assertThat(dead.partition()).isEqualTo(1);
            assertThat(dead.offset()).isEqualTo(17);
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("order-1-17");
            assertThat(dead.header(DeadLetters.ORIGIN_TOPIC).text()).isEqualTo("orders");
            assertThat(dead.header(DeadLetters.ORIGIN_PARTITION).text()).isEqualTo("1");
            assertThat(dead.header(DeadLetters.ORIGIN_OFFSET).text()).isEqualTo("17");
            assertThat(dead.header(DeadLetters.ERROR_CLASS).text()).isEqualTo(InvalidRecordException.class.getName());
            assertThat(dead.header(DeadLetters.ERROR_MESSAGE).text()).isEqualTo("amount is negative");
            Map<String, Object> envelope = new java.util.LinkedHashMap<>();
            envelope.put("origin", Map.of("topic", "orders", "partition", 1, "offset", 17L, "timestamp", 0L));
            envelope.put("error", Map.of("class", InvalidRecordException.class.getName(), "message", "amount is negative"));
            envelope.put("key", null);
            envelope.put("value", "order-1-17");
            assertThat(dead.data()).isEqualTo(envelope);
        });
        assertThat(source.committed()).isEqualTo(source.endPositions());
    }

    @Test
    void toleranceNoneStopsAtTheBadRecordAfterCommittingTheRecordsBeforeIt() {
        List<KsfRecord> input = records(1, 100);
        InMemorySource source = new InMemorySource(input, Positions.empty(), 10);
        InMemoryTarget target = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES)
                .processor(record -> {
                    if (record.offset() == 42) {
                        throw new InvalidRecordException("bad record");
                    }
                    return List.of(record);
                })
                .target(target).tolerance(Tolerance.NONE).flushEvery(1000, 1 << 20, Duration.ofMinutes(1)).build();

        Throwable failure = PipelineThread.start(pipeline).failure();

        assertThat(failure).hasMessageContaining("record orders/0@42 failed: bad record")
                .hasMessageContaining("errors.tolerance is none");
        assertThat(source.committed().next(new SourcePartition("orders", 0))).isEqualTo(42);
        assertThat(target.stored()).hasSize(42);
    }

    @Test
    void aFailedFlushCommitsNothing() {
        InMemorySource source = new InMemorySource(records(2, 20));
        InMemoryTarget target = new InMemoryTarget().failNextFlushes(1, false);
        Pipeline pipeline = Pipeline.builder().source(source, BYTES).target(target)
                .flushEvery(10, 1 << 20, Duration.ofMinutes(1)).build();

        Throwable failure = PipelineThread.start(pipeline).failure();

        assertThat(failure).hasMessageContaining("flush failure injected");
        assertThat(source.commits()).isZero();
        assertThat(source.committed().isEmpty()).isTrue();
        assertThat(target.stored()).isEmpty();
        assertThat(source.isClosed()).isTrue();
    }

    @Test
    void aRetriableFlushFailureIsRetriedWithBackoffAndNothingIsLost() {
        InMemorySource source = new InMemorySource(records(2, 20));
        InMemoryTarget target = new InMemoryTarget().failNextFlushes(3, true);
        PipelineSettings settings = PipelineSettings.defaults().withFlush(10, 1 << 20, Duration.ofMinutes(1))
                .withRetry(Duration.ofSeconds(30), Duration.ofMillis(5));
        List<Positions> commitsWhileFailing = new CopyOnWriteArrayList<>();
        Source watching = new DelegatingSource(source) {
            @Override
            public void commit(Positions positions) {
                if (target.flushes() == 0) {
                    commitsWhileFailing.add(positions);
                }
                super.commit(positions);
            }
        };
        Pipeline pipeline = Pipeline.builder().source(watching, BYTES).target(target).settings(settings).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(source::fullyCommitted, WAIT).stop();
        }
        assertThat(commitsWhileFailing).isEmpty();
        assertThat(target.stored()).hasSize(40);
    }

    @Test
    void recordsDroppedByAProcessorAreCommittedToo() {
        InMemorySource source = new InMemorySource(records(2, 30));
        InMemoryTarget target = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES)
                .processor(record -> record.partition() == 1 ? List.of() : List.of(record))
                .target(target).flushEvery(10, 1 << 20, Duration.ofMinutes(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(source::fullyCommitted, WAIT);
            assertThat(running.stop().recordsFiltered()).isEqualTo(30);
        }
        assertThat(target.stored()).hasSize(30).allMatch(r -> r.partition() == 0);
    }

    @Test
    void closeFlushesAndCommitsWhatIsPending() {
        InMemorySource source = new InMemorySource(records(2, 40));
        InMemoryTarget target = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES).target(target)
                .flushEvery(1_000_000, 1L << 40, Duration.ofHours(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 80, WAIT);
            assertThat(source.commits()).isZero();
            running.stop();
        }
        assertThat(source.committed()).isEqualTo(source.endPositions());
        assertThat(target.stored()).hasSize(80);
    }

    @Test
    void aRestartAfterACrashResumesFromTheCommittedPositionsWithNothingLost() {
        List<KsfRecord> input = records(2, 500);
        InMemorySource first = new InMemorySource(input, Positions.empty(), 50);
        InMemoryTarget firstTarget = new InMemoryTarget();
        Pipeline[] crashing = new Pipeline[1];
        Source crashesMidStream = new DelegatingSource(first) {
            @Override
            public List<KsfRecord> poll(Duration timeout) {
                if (crashing[0].stats().recordsIn() >= 430) {
                    throw new io.ksf.spi.KsfException("the process died");
                }
                return super.poll(timeout);
            }
        };
        crashing[0] = Pipeline.builder().source(crashesMidStream, BYTES).target(firstTarget)
                .flushEvery(100, 1 << 20, Duration.ofMinutes(1)).build();
        assertThat(PipelineThread.start(crashing[0]).failure()).hasMessage("the process died");
        assertThat(firstTarget.stored()).as("flushed before the crash").hasSizeBetween(100, 429);

        InMemorySource second = new InMemorySource(input, first.committed(), 50);
        InMemoryTarget secondTarget = new InMemoryTarget();
        long remaining = 1000 - firstTarget.stored().size();
        Pipeline resumed = Pipeline.builder().source(second, BYTES).target(secondTarget)
                .flushEvery(100, 1 << 20, Duration.ofMinutes(1)).build();
        try (RunningTask<PipelineStats> running = PipelineThread.start(resumed)) {
            running.awaitUntil(() -> resumed.stats().recordsIn() == remaining, WAIT).stop();
        }
        List<String> union = new ArrayList<>(values(firstTarget.stored()));
        union.addAll(values(secondTarget.stored()));
        assertThat(union).containsExactlyInAnyOrderElementsOf(values(input));
        assertThat(second.committed()).isEqualTo(second.endPositions());
    }

    @Test
    void withoutProcessorsValuesPassThroughUndecoded() {
        InMemorySource source = new InMemorySource(records(1, 5));
        InMemoryTarget target = new InMemoryTarget();
        try (RunningTask<PipelineStats> running = PipelineThread.start(Pipeline.builder().source(source, BYTES).target(target)
                .flushEvery(5, 1 << 20, Duration.ofMinutes(1)).build())) {
            running.awaitUntil(source::fullyCommitted, WAIT).stop();
        }
        assertThat(target.stored()).hasSize(5).noneMatch(KsfRecord::decoded);
    }
}
