package io.ksf.contract;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SourcePartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link Source} must do. Extend it, give each test a fresh input (a new topic, bucket prefix or
 * stream), and implement {@link #produce(List)} and {@link #newSource()}: every source of one test reads the same
 * input and keeps its positions in the same place (group, checkpoint store), so a second one resumes the first.
 */
public abstract class SourceContract {

    /** Appends one record per value to this test's input; called before the source that reads them opens. */
    protected abstract void produce(List<String> values) throws Exception;

    /** A new source over this test's input, resuming at the positions committed by the sources before it. */
    protected abstract Source newSource();

    /** How long reading what was produced may take (a group join, a listing, a shard discovery). */
    protected Duration readTimeout() {
        return Duration.ofSeconds(60);
    }

    /** Values of one test, unique, in the order they are produced. */
    protected List<String> values(String test, int count) {
        return IntStream.range(0, count).mapToObj(i -> "{\"test\":\"" + test + "\",\"n\":" + i + "}").toList();
    }

    @Test
    void everyProducedRecordIsPolledOnceInOrderWithinItsPartition() throws Exception {
        List<String> produced = values("once", 40);
        produce(produced);
        Reader reader = new Reader();
        try (Source source = newSource()) {
            source.open(reader);
            reader.pollUntil(source, produced.size());
            reader.pollFor(source, Duration.ofMillis(500));
        }

        assertThat(reader.values()).containsExactlyInAnyOrderElementsOf(produced);
        assertThat(reader.unassigned).as("records of partitions not assigned when polled").isEmpty();
        for (List<KsfRecord> partition : reader.byPartition().values()) {
            for (int i = 1; i < partition.size(); i++) {
                assertThat(partition.get(i).offset()).isGreaterThan(partition.get(i - 1).offset());
                assertThat(produced.indexOf(value(partition.get(i))))
                        .isGreaterThan(produced.indexOf(value(partition.get(i - 1))));
            }
        }
    }

    @Test
    void aNewSourceResumesJustPastTheCommittedPositions() throws Exception {
        List<String> produced = values("resume", 30);
        produce(produced);
        Reader first = new Reader();
        Map<SourcePartition, Long> committed = new HashMap<>();
        List<String> notCommitted = new ArrayList<>();
        try (Source source = newSource()) {
            source.open(first);
            first.pollUntil(source, produced.size());
            for (List<KsfRecord> partition : first.byPartition().values()) {
                int half = partition.size() / 2; // commit the first half of each partition
                if (half > 0) {
                    KsfRecord last = partition.get(half - 1);
                    committed.put(last.topicPartition(), last.offset() + 1);
                }
                partition.subList(half, partition.size()).forEach(r -> notCommitted.add(value(r)));
            }
            source.commit(Positions.of(committed));
        }

        Reader second = new Reader();
        try (Source source = newSource()) {
            source.open(second);
            second.pollUntil(source, notCommitted.size());
            second.pollFor(source, Duration.ofMillis(500));
        }

        assertThat(committed).isNotEmpty();
        assertThat(second.values()).containsExactlyInAnyOrderElementsOf(notCommitted);
    }

    @Test
    void aPausedPartitionReturnsNothingUntilResumed() throws Exception {
        List<String> produced = values("pause", 30);
        produce(produced);
        Reader reader = new Reader();
        try (Source source = newSource()) {
            source.open(reader);
            reader.pollUntil(source, 1);
            Set<SourcePartition> paused = new TreeSet<>(reader.assigned);
            source.pause(paused);
            int before = reader.records.size();
            reader.pollFor(source, Duration.ofSeconds(1));
            List<KsfRecord> whilePaused = reader.records.subList(before, reader.records.size());
            assertThat(whilePaused).noneMatch(r -> paused.contains(r.topicPartition()));

            source.resume(paused);
            reader.pollUntil(source, produced.size());
        }

        assertThat(reader.values()).containsExactlyInAnyOrderElementsOf(produced);
    }

    @Test
    void wakeupEndsAPollThatWaitsForRecords() throws Exception {
        produce(values("wakeup", 1));
        Reader reader = new Reader();
        try (Source source = newSource()) {
            source.open(reader);
            reader.pollUntil(source, 1);
            CompletableFuture<List<KsfRecord>> waiting = CompletableFuture.supplyAsync(
                    () -> source.poll(Duration.ofMinutes(5)));
            Thread.sleep(200); // let the poll start waiting, as the runtime's close would find it
            source.wakeup();

            assertThat(waiting.get(30, TimeUnit.SECONDS)).isEmpty();
        }
    }

    private static String value(KsfRecord record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    /** The context a pipeline would give, remembering assignments, and the records polled. */
    private final class Reader implements SourceContext {
        final Set<SourcePartition> assigned = new TreeSet<>();
        final List<KsfRecord> records = new ArrayList<>();
        final List<KsfRecord> unassigned = new ArrayList<>();

        @Override
        public void assigned(Collection<SourcePartition> partitions) {
            assigned.addAll(partitions);
        }

        @Override
        public void revoked(Collection<SourcePartition> partitions) {
            assigned.removeAll(partitions);
        }

        @Override
        public void lost(Collection<SourcePartition> partitions) {
            assigned.removeAll(partitions);
        }

        void pollUntil(Source source, int count) {
            long deadline = System.nanoTime() + readTimeout().toNanos();
            while (records.size() < count) {
                assertThat(System.nanoTime() - deadline).as("%d of %d records read within %s", records.size(),
                        count, readTimeout()).isNegative();
                take(source.poll(Duration.ofMillis(200)));
            }
        }

        void pollFor(Source source, Duration duration) {
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() - end < 0) {
                take(source.poll(Duration.ofMillis(100)));
            }
        }

        private void take(List<KsfRecord> polled) {
            records.addAll(polled);
            polled.stream().filter(r -> !assigned.contains(r.topicPartition())).forEach(unassigned::add);
        }

        List<String> values() {
            return records.stream().map(SourceContract::value).toList();
        }

        Map<SourcePartition, List<KsfRecord>> byPartition() {
            Map<SourcePartition, List<KsfRecord>> partitions = new LinkedHashMap<>();
            records.forEach(r -> partitions.computeIfAbsent(r.topicPartition(), tp -> new ArrayList<>()).add(r));
            return partitions;
        }
    }
}
