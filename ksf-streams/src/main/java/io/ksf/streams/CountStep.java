package io.ksf.streams;

import io.ksf.spi.KsfRecord;

/**
 * A count: records grouped by a field, or by their data (a word from {@code split}), counted in a table.
 *
 * @param table  the state store, which names the changelog topic
 * @param field  the dotted path of the value counted, or null for the record's data
 * @param cache  whether Kafka Streams' cache collapses repeated updates of a key between commits
 * @param window the time window, or null to count over all time
 */
public record CountStep(String table, String field, boolean cache, Window window) implements StatefulStep {

    @Override
    public String result() {
        return "count";
    }

    @Override
    public String keyOf(KsfRecord record) {
        return StatefulStep.text(record, field, "value to count");
    }

    @Override
    public String numberOf(KsfRecord record) {
        return "";
    }

    @Override
    public String add(String sofar, String number) {
        return sofar.isEmpty() ? "1" : Long.toString(Long.parseLong(sofar) + 1);
    }
}
