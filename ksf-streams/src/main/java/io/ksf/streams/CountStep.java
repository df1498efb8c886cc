package io.ksf.streams;

import io.ksf.spi.KsfRecord;

/**
 * A count: records grouped by a field, or by their data (a word from {@code split}), counted in a table.
 *
 * @param table the state store, which names the changelog topic
 * @param field the dotted path of the value counted, or null for the record's data
 * @param cache whether Kafka Streams' cache collapses repeated updates of a key between commits
 */
public record CountStep(String table, String field, boolean cache) implements StatefulStep {

    @Override
    public String keyOf(KsfRecord record) {
        return StatefulStep.text(record, field, "value to count");
    }
}
