package io.ksf.streams;

import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import io.ksf.support.Fields;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A stateful processor as the config describes it ({@link CountStep}, {@link AggregateStep}): the topology builder
 * turns it into a Kafka Streams aggregation into a table. It cannot run in KSF's own runtime, which keeps no state.
 */
public sealed interface StatefulStep extends Processor permits CountStep, AggregateStep {

    /** The state store, which names the changelog topic {@code <application.id>-<table>-changelog}. */
    String table();

    /** Whether Kafka Streams' cache collapses repeated updates of a key between commits. */
    boolean cache();

    /** The time window, or null for a table of all time. */
    Window window();

    /** The name of the value in the output, such as {@code count} or {@code sum}. */
    String result();

    /** The text a record is grouped under. */
    String keyOf(KsfRecord record);

    /** The text of the record's number that {@link #add} takes (empty for a count). */
    String numberOf(KsfRecord record);

    /** The table's next value of a key, as decimal text, from the value so far (empty at first) and a number. */
    String add(String sofar, String number);

    @Override
    default List<KsfRecord> process(KsfRecord record) {
        throw new KsfException(getClass().getSimpleName().replace("Step", "").toLowerCase(Locale.ROOT)
                + " is stateful: its pipeline runs on Kafka Streams, with a kafka source and a kafka target");
    }

    /** The value at a dotted path (or the data itself for null), as text; a bad record when missing or null. */
    static String text(KsfRecord record, String field, String what) {
        Object value = field == null ? record.data() : Fields.get(record.data(), field);
        if (value == Fields.MISSING) {
            throw new InvalidRecordException("invalid record: field '" + field + "' is missing");
        }
        if (value == null) {
            throw new InvalidRecordException("invalid record: no " + what + (field == null ? " (no data)"
                    : " (field '" + field + "' is null)"));
        }
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }
}
