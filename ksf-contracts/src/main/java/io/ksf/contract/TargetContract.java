package io.ksf.contract;

import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.PendingFlush;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.Target;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link Target} must do. Extend it, give a fresh store per test (a {@code @TempDir}, a new bucket,
 * a new collection), and implement {@link #newTarget()} and {@link #storedValues()}.
 */
public abstract class TargetContract {

    /** A new target writing to this test's store; every call writes to the same store. */
    protected abstract Target newTarget();

    /** What the store holds now, one JSON text per stored record, as a user would read it back. */
    protected abstract List<String> storedValues() throws Exception;

    /**
     * False for a target that appends what it is given (the kafka target without exactly-once): a replay stores
     * its records a second time. True when the same input leaves the same stored result.
     */
    protected boolean replayOverwrites() {
        return true;
    }

    /**
     * False for a target that sends records as they are written (the kafka target without exactly-once): records
     * may be stored before a flush, though positions only come from a flush. True when nothing is stored unflushed.
     */
    protected boolean storesOnlyWhenFlushed() {
        return true;
    }

    /** A decoded record whose value is a small JSON object; its stored form is {@link #expected(KsfRecord)}. */
    protected KsfRecord record(String topic, int partition, long offset) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", topic + "-" + partition + "-" + offset);
        data.put("n", offset);
        String json = "{\"id\":\"" + data.get("id") + "\",\"n\":" + offset + "}";
        return KsfRecord.of(topic, partition, offset, 1_700_000_000_000L + offset, null,
                json.getBytes(StandardCharsets.UTF_8), List.of()).withData(data);
    }

    /** How a record looks when read back: by default its value as compact JSON text. */
    protected String expected(KsfRecord record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    protected List<KsfRecord> records(String topic, int partition, long from, int count) {
        List<KsfRecord> records = new ArrayList<>();
        for (long offset = from; offset < from + count; offset++) {
            records.add(record(topic, partition, offset));
        }
        return records;
    }

    private List<String> expected(List<KsfRecord> records) {
        return records.stream().map(this::expected).toList();
    }

    @Test
    void flushReturnsThePositionJustPastTheLastRecordOfEachPartition() {
        try (Target target = newTarget()) {
            List<KsfRecord> records = new ArrayList<>(records("orders", 0, 0, 5));
            records.addAll(records("orders", 1, 10, 3));
            target.write(records);

            Positions positions = target.flush();

            assertThat(positions.asMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    new SourcePartition("orders", 0), 5L, new SourcePartition("orders", 1), 13L));
        }
    }

    @Test
    void flushedRecordsCanBeReadBack() throws Exception {
        List<KsfRecord> records = new ArrayList<>(records("orders", 0, 0, 4));
        records.addAll(records("orders", 2, 7, 2));
        try (Target target = newTarget()) {
            target.write(records);
            target.flush();
        }
        assertThat(storedValues()).containsExactlyInAnyOrderElementsOf(expected(records));
    }

    @Test
    void flushWithNothingWrittenReturnsNoPositions() {
        try (Target target = newTarget()) {
            assertThat(target.flush().isEmpty()).isTrue();
        }
    }

    @Test
    void successiveFlushesStoreEverythingOnce() throws Exception {
        try (Target target = newTarget()) {
            target.write(records("orders", 0, 0, 3));
            assertThat(target.flush().next(new SourcePartition("orders", 0))).isEqualTo(3);
            target.write(records("orders", 0, 3, 3));
            assertThat(target.flush().next(new SourcePartition("orders", 0))).isEqualTo(6);
        }
        assertThat(storedValues()).containsExactlyInAnyOrderElementsOf(expected(records("orders", 0, 0, 6)));
    }

    @Test
    void recordsWrittenWhileAFlushStoresBelongToTheNextFlush() throws Exception {
        SourcePartition orders = new SourcePartition("orders", 0);
        try (Target target = newTarget()) {
            target.write(records("orders", 0, 0, 3));
            PendingFlush first = target.startFlush();
            target.write(records("orders", 0, 3, 2));

            assertThat(first.await().next(orders)).isEqualTo(3);
            if (storesOnlyWhenFlushed()) {
                assertThat(storedValues()).containsExactlyInAnyOrderElementsOf(expected(records("orders", 0, 0, 3)));
            }
            assertThat(target.flush().next(orders)).isEqualTo(5);
        }
        assertThat(storedValues()).containsExactlyInAnyOrderElementsOf(expected(records("orders", 0, 0, 5)));
    }

    @Test
    void aReplayOfTheSameRecordsLeavesTheSameStoredResult() throws Exception {
        List<KsfRecord> records = records("orders", 0, 0, 10);
        try (Target first = newTarget()) {
            first.write(records);
            first.flush();
        }
        List<String> afterFirst = storedValues();
        try (Target replay = newTarget()) {
            replay.write(records);
            replay.flush();
        }
        if (replayOverwrites()) {
            assertThat(storedValues()).containsExactlyInAnyOrderElementsOf(afterFirst).hasSize(10);
        } else {
            List<String> twice = new ArrayList<>(afterFirst);
            twice.addAll(afterFirst);
            assertThat(storedValues()).containsExactlyInAnyOrderElementsOf(twice).hasSize(20);
        }
    }

    @Test
    void recordsThatWereNeverFlushedAreNotStored() throws Exception {
        try (Target target = newTarget()) {
            target.write(records("orders", 0, 0, 3));
        }
        if (storesOnlyWhenFlushed()) {
            assertThat(storedValues()).isEmpty();
        } else {
            assertThat(expected(records("orders", 0, 0, 3))).containsAll(storedValues());
        }
    }

    @Test
    void discardDropsTheBufferOfLostPartitionsOnly() throws Exception {
        try (Target target = newTarget()) {
            target.write(records("orders", 0, 0, 2));
            target.write(records("orders", 1, 0, 2));
            target.discard(List.of(new SourcePartition("orders", 0)));

            Positions positions = target.flush();

            assertThat(positions.asMap()).containsOnlyKeys(new SourcePartition("orders", 1));
        }
        if (storesOnlyWhenFlushed()) {
            assertThat(storedValues()).containsExactlyInAnyOrderElementsOf(expected(records("orders", 1, 0, 2)));
        } else {
            assertThat(storedValues()).containsAll(expected(records("orders", 1, 0, 2)));
        }
    }

    @Test
    void aRecordThatCannotBeStoredIsRejectedAloneAndItsPositionCounts() throws Exception {
        List<KsfRecord> records = new ArrayList<>(records("orders", 0, 0, 4));
        Map<String, Object> unstorable = new LinkedHashMap<>();
        unstorable.put("id", "orders-0-1");
        unstorable.put("handle", new Object()); // no format and no database can represent it
        KsfRecord bad = records.get(1).withData(unstorable);
        records.set(1, bad);
        List<KsfRecord> rejected = new ArrayList<>();
        List<InvalidRecordException> reasons = new ArrayList<>();
        try (Target target = newTarget()) {
            target.open((record, reason) -> {
                rejected.add(record);
                reasons.add(reason);
            });
            target.write(records);

            Positions positions = target.flush();

            assertThat(positions.asMap()).containsExactly(Map.entry(new SourcePartition("orders", 0), 4L));
            assertThat(rejected).hasSize(1);
            assertThat(rejected.get(0)).isSameAs(bad);
            assertThat(reasons.get(0)).hasMessageContaining("java.lang.Object");
            assertThat(target.flush().asMap()).isEmpty();
            assertThat(rejected).hasSize(1);
        }
        List<KsfRecord> stored = new ArrayList<>(records);
        stored.remove(1);
        assertThat(storedValues()).containsExactlyInAnyOrderElementsOf(expected(stored));
    }
}
