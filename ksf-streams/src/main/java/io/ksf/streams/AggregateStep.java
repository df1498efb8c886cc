package io.ksf.streams;

import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An aggregate: a numeric field's sum, minimum or maximum per key, in a table.
 *
 * @param table    the state store, which names the changelog topic
 * @param field    the dotted path of the number
 * @param function sum, min or max
 * @param by       the dotted path of the key, or null for the record's key
 * @param cache    whether Kafka Streams' cache collapses repeated updates of a key between commits
 * @param window   the time window, or null to aggregate over all time
 */
public record AggregateStep(String table, String field, Function function, String by, boolean cache, Window window)
        implements StatefulStep {

    /** How numbers of one key are combined. */
    public enum Function {
        /** Their sum. */
        SUM,
        /** The smallest. */
        MIN,
        /** The largest. */
        MAX;

        BigDecimal apply(BigDecimal sofar, BigDecimal next) {
            if (sofar == null) {
                return next;
            }
            return switch (this) {
                case SUM -> sofar.add(next);
                case MIN -> sofar.min(next);
                case MAX -> sofar.max(next);
            };
        }
    }

    @Override
    public String result() {
        return function.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String keyOf(KsfRecord record) {
        if (by != null) {
            return StatefulStep.text(record, by, "key");
        }
        if (record.key() == null) {
            throw new InvalidRecordException("invalid record: no key to aggregate by (set by to a field)");
        }
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    @Override
    public String numberOf(KsfRecord record) {
        String text = StatefulStep.text(record, field, "number");
        try {
            return new BigDecimal(text).toPlainString();
        } catch (NumberFormatException e) {
            throw new InvalidRecordException("invalid record: field '" + field + "' is not a number, found \""
                    + text + "\"");
        }
    }

    @Override
    public String add(String sofar, String number) {
        return function.apply(sofar.isEmpty() ? null : new BigDecimal(sofar), new BigDecimal(number)).toPlainString();
    }
}
