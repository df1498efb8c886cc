package io.ksf.pipeline;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.PendingFlush;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.Target;
import io.ksf.support.Retry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** Sync mode's sink: records handed over while a flush stores reach the target only after that flush's commit. */
class ReadAheadSinkTest {
    private static final SourcePartition P0 = new SourcePartition("t", 0);

    /** A target whose flushes store until released, as S3 uploads on its own threads. */
    private static final class SlowTarget implements Target {
        final List<String> events = new ArrayList<>();
        final List<KsfRecord> unflushed = new ArrayList<>();
        CountDownLatch release = new CountDownLatch(1);

        @Override
        public void write(List<KsfRecord> records) {
            records.forEach(r -> events.add("write " + r.offset()));
            unflushed.addAll(records);
        }

        @Override
        public Positions flush() {
            return startFlush().await();
        }

        @Override
        public PendingFlush startFlush() {
            long next = unflushed.isEmpty() ? 0 : unflushed.get(unflushed.size() - 1).offset() + 1;
            unflushed.clear();
            events.add("flush to " + next);
            CountDownLatch stored = release;
            return new PendingFlush() {
                @Override
                public boolean isDone() {
                    return stored.getCount() == 0;
                }

                @Override
                public Positions await() {
                    try {
                        stored.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return Positions.of(Map.of(P0, next));
                }
            };
        }

        @Override
        public void discard(Collection<SourcePartition> partitions) {
        }

        @Override
        public void close() {
        }
    }

    private static ReadAheadSink sinkOf(Target target) {
        return new ReadAheadSink(new DirectSink(target, null, SourceNotices.of((Source) null),
                new Retry(Duration.ofSeconds(5), Duration.ofMillis(10)), nanos -> { }));
    }

    private static List<KsfRecord> records(int from, int to) {
        List<KsfRecord> records = new ArrayList<>();
        for (int n = from; n < to; n++) {
            records.add(KsfRecord.of("t", 0, n, "v" + n));
        }
        return records;
    }

    @Test
    void recordsPolledWhileAFlushStoresWaitForItsCommit() {
        SlowTarget target = new SlowTarget();
        ReadAheadSink sink = sinkOf(target);
        sink.write(records(0, 3), List.of(), Map.of(), 30);
        assertThat(sink.flush()).isTrue();
        assertThat(sink.takeDurable().isEmpty()).isTrue(); // still storing

        sink.write(records(3, 5), List.of(), Map.of(), 20); // polled on during the upload: held
        assertThat(sink.flush()).isFalse(); // one flush at a time
        assertThat(target.events).containsExactly("write 0", "write 1", "write 2", "flush to 3");
        assertThat(sink.inFlightBytes()).isEqualTo(50);

        target.release.countDown();
        target.release = new CountDownLatch(1);
        Positions durable = sink.takeDurable();
        assertThat(durable.asMap()).isEqualTo(Map.of(P0, 3L));
        assertThat(target.events).hasSize(4); // the held records wait for the commit of these positions

        sink.write(records(5, 6), List.of(), Map.of(), 10); // after the commit: the held ones first, in order
        assertThat(target.events).containsExactly("write 0", "write 1", "write 2", "flush to 3", "write 3",
                "write 4", "write 5");
        assertThat(sink.flush()).isTrue();
        target.release.countDown();
        sink.awaitFlush();
        assertThat(sink.takeDurable().asMap()).isEqualTo(Map.of(P0, 6L));
        sink.drain();
        assertThat(sink.inFlightBytes()).isZero();
    }

    /** A flush completed while waiting for it (a rebalance) still holds the next records back until it is taken. */
    @Test
    void aFlushCompletedOnARebalanceHoldsTheNextRecordsUntilItsPositionsAreTaken() {
        SlowTarget target = new SlowTarget();
        ReadAheadSink sink = sinkOf(target);
        sink.write(records(0, 2), List.of(), Map.of(), 20);
        assertThat(sink.flush()).isTrue();
        target.release.countDown();
        target.release = new CountDownLatch(1);
        sink.recover(Positions.empty()); // waits for the flush under way, as an assignment does

        sink.write(records(2, 3), List.of(), Map.of(), 10);
        assertThat(sink.flush()).as("no second flush before the first one's positions are taken").isFalse();
        assertThat(target.events).containsExactly("write 0", "write 1", "flush to 2");
        assertThat(sink.takeDurable().asMap()).isEqualTo(Map.of(P0, 2L));
        assertThat(sink.flush()).isTrue();
        assertThat(target.events).containsExactly("write 0", "write 1", "flush to 2", "write 2", "flush to 3");
    }
}
