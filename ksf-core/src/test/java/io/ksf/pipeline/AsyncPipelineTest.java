package io.ksf.pipeline;

import io.ksf.contract.InMemorySource;
import io.ksf.contract.InMemoryTarget;
import io.ksf.contract.RunningTask;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.pipeline.PipelineSettings.Mode;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Async mode: flushes on a worker, commits on the poll thread, backpressure by memory budget. */
class AsyncPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final BytesFormat BYTES = new BytesFormat("\n");

    private static List<KsfRecord> records(int partitions, int perPartition) {
        List<KsfRecord> records = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (int o = 0; o < perPartition; o++) {
                records.add(KsfRecord.of("orders", p, o, "order-" + p + "-" + o + "-padding-to-make-it-longer"));
            }
        }
        return records;
    }

    /** A target whose flushes are slow, so batches pile up in flight. */
    private static class SlowTarget extends io.ksf.contract.DelegatingTarget {
        SlowTarget(InMemoryTarget delegate) {
            super(delegate);
        }

        @Override
        public Positions flush() {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            return super.flush();
        }
    }

    @Test
    void everyRecordArrivesOnceWhileAMemoryBudgetPausesThePartitions() {
        List<KsfRecord> input = records(3, 2_000);
        InMemorySource source = new InMemorySource(input, Positions.empty(), 100);
        InMemoryTarget target = new InMemoryTarget();
        List<String> violations = new CopyOnWriteArrayList<>();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES).target(new SlowTarget(target))
                .mode(Mode.ASYNC).memoryBudget(20_000).flushEvery(200, 1 << 20, Duration.ofMinutes(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(() -> {
                source.committed().asMap().forEach((tp, next) -> {
                    long stored = target.stored().stream().filter(r -> r.topicPartition().equals(tp)).count();
                    if (stored < next) {
                        violations.add(tp + " committed " + next + " with " + stored + " stored");
                    }
                });
                return pipeline.stats().recordsIn() == 6_000;
            }, WAIT).stop();
        }
        assertThat(violations).isEmpty();
        assertThat(target.stored()).hasSize(6_000);
        assertThat(target.stored().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).distinct())
                .hasSize(6_000);
        assertThat(source.committed()).isEqualTo(source.endPositions());
        assertThat(source.pauses()).as("times the budget paused polling").isPositive();
    }

    @Test
    void aFlushStartsOnlyOnceThePositionsOfThePreviousOneWereCommitted() {
        InMemorySource source = new InMemorySource(records(3, 2_000), Positions.empty(), 100);
        InMemoryTarget target = new InMemoryTarget();
        List<String> violations = new CopyOnWriteArrayList<>();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES).target(new SlowTarget(target) {
            private Positions previous = Positions.empty();

            @Override
            public Positions flush() {
                // more than one uncommitted generation per partition is what a crash turns into duplicates
                previous.asMap().forEach((tp, next) -> {
                    if (source.committed().next(tp) < next) {
                        violations.add("flush started with " + tp + " stored to " + next + " but committed to "
                                + source.committed().next(tp));
                    }
                });
                previous = super.flush();
                return previous;
            }
        }).processor(record -> {
            if (record.offset() % 50 == 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // polling outlasts several flushes
            }
            return List.of(record);
        }).mode(Mode.ASYNC).flushEvery(200, 1 << 20, Duration.ofMinutes(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 6_000, WAIT).stop();
        }
        assertThat(violations).isEmpty();
        assertThat(target.flushes()).isGreaterThan(2);
        assertThat(source.committed()).isEqualTo(source.endPositions());
    }

    @Test
    void aFlushThatFailsOnTheWorkerStopsThePipelineWithoutCommitting() {
        InMemorySource source = new InMemorySource(records(2, 500));
        InMemoryTarget target = new InMemoryTarget().failNextFlushes(1, false);
        Pipeline pipeline = Pipeline.builder().source(source, BYTES).target(target).mode(Mode.ASYNC)
                .flushEvery(100, 1 << 20, Duration.ofMinutes(1)).build();

        Throwable failure = PipelineThread.start(pipeline).failure();

        assertThat(failure).hasMessageContaining("flush failure injected");
        assertThat(source.commits()).isZero();
        assertThat(target.stored()).isEmpty();
    }

    @Test
    void deadLettersAndDroppedRecordsCommitInAsyncModeToo() {
        InMemorySource source = new InMemorySource(records(2, 300));
        InMemoryTarget target = new InMemoryTarget();
        InMemoryTarget deadLetters = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES)
                .processor(record -> {
                    if (record.offset() % 100 == 7) {
                        throw new InvalidRecordException("bad");
                    }
                    return record.partition() == 1 && record.offset() % 2 == 0 ? List.of() : List.of(record);
                })
                .target(target).deadLetter(deadLetters).mode(Mode.ASYNC)
                .flushEvery(50, 1 << 20, Duration.ofMinutes(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 600, WAIT).stop();
        }
        assertThat(deadLetters.stored()).hasSize(6);
        assertThat(target.stored()).hasSize(300 - 3 + 150 - 3 + 0 - 0).allMatch(r -> r.offset() % 100 != 7);
        assertThat(source.committed()).isEqualTo(source.endPositions());
        assertThat(source.committed().next(new SourcePartition("orders", 1))).isEqualTo(300);
    }

    @Test
    void theNextRecordsAreWrittenWhileAFlushStoresAndCommitOnlyOnceItIsDurable() throws Exception {
        InMemorySource source = new InMemorySource(records(3, 2_000), Positions.empty(), 100);
        InMemoryTarget target = new InMemoryTarget();
        java.util.concurrent.CountDownLatch durable = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean storing = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger writtenWhileStoring = new java.util.concurrent.atomic.AtomicInteger();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES).target(new io.ksf.contract.DelegatingTarget(target) {
            @Override
            public void write(List<KsfRecord> records) {
                if (storing.get()) {
                    writtenWhileStoring.addAndGet(records.size());
                }
                super.write(records);
            }

            @Override
            public io.ksf.spi.PendingFlush startFlush() {
                Positions positions = super.flush();
                storing.set(true);
                return new io.ksf.spi.PendingFlush() {
                    @Override
                    public boolean isDone() {
                        return durable.getCount() == 0;
                    }

                    @Override
                    public Positions await() {
                        try {
                            durable.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        storing.set(false);
                        return positions;
                    }
                };
            }
        }).mode(Mode.ASYNC).flushEvery(200, 1 << 20, Duration.ofMinutes(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            running.awaitUntil(() -> writtenWhileStoring.get() >= 1_000, WAIT);
            assertThat(source.commits()).as("commits while the first flush is not durable").isZero();
            durable.countDown();
            running.awaitUntil(() -> pipeline.stats().recordsIn() == 6_000
                    && source.committed().equals(source.endPositions()), WAIT).stop();
        }
        assertThat(target.stored()).hasSize(6_000);
        assertThat(target.stored().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).distinct())
                .hasSize(6_000);
        assertThat(source.committed()).isEqualTo(source.endPositions());
    }

    @Test
    void aFullMemoryBudgetFlushesBeforeAnyThresholdIsMet() {
        InMemorySource source = new InMemorySource(records(3, 2_000), Positions.empty(), 100);
        InMemoryTarget target = new InMemoryTarget();
        Pipeline pipeline = Pipeline.builder().source(source, BYTES).target(target).mode(Mode.ASYNC)
                .memoryBudget(20_000).flushEvery(1_000_000, 1L << 30, Duration.ofHours(1)).build();

        try (RunningTask<PipelineStats> running = PipelineThread.start(pipeline)) {
            // no threshold is met before the end: only the budget's flushes make room to go on
            running.awaitUntil(() -> source.committed().equals(source.endPositions()), WAIT).stop();
        }
        assertThat(target.stored()).hasSize(6_000);
        assertThat(source.pauses()).isPositive();
    }
}
