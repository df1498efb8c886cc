package io.ksf.streams;

import io.ksf.processor.Fields;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A count, as the config describes it: the topology builder turns it into a Kafka Streams aggregation. It cannot
 * run in KSF's own runtime, which keeps no state.
 *
 * @param table the state store, which names the changelog topic
 * @param field the dotted path of the value counted, or null for the record's data
 * @param cache whether Kafka Streams' cache collapses repeated updates of a key between commits
 */
public record CountStep(String table, String field, boolean cache) implements Processor {

    /** The text a record is counted under. */
    String keyOf(KsfRecord record) {
        Object value = field == null ? record.data() : Fields.get(record.data(), field);
        if (value == Fields.MISSING) {
            throw new InvalidRecordException("invalid record: field '" + field + "' is missing");
        }
        if (value == null) {
            throw new InvalidRecordException("invalid record: nothing to count " + (field == null ? "(no data)"
                    : "(field '" + field + "' is null)"));
        }
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    @Override
    public List<KsfRecord> process(KsfRecord record) {
        throw new KsfException("count is stateful: its pipeline runs on Kafka Streams, with a kafka source and a "
                + "kafka target");
    }
}
