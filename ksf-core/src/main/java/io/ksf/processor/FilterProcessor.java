package io.ksf.processor;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import io.ksf.support.Fields;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps records whose field equals a value, or matches a regular expression (the whole text); {@code invert}
 * keeps the others instead. A missing field never equals nor matches. Dropped records are committed, not
 * dead-lettered: filtering is deliberate.
 */
public final class FilterProcessor implements Processor {
    private final String field;
    private final String equals;
    private final Pattern matches;
    private final boolean invert;

    /** Exactly one of {@code equals} and {@code matches} is non-null. */
    public FilterProcessor(String field, String equals, Pattern matches, boolean invert) {
        this.field = field;
        this.equals = equals;
        this.matches = matches;
        this.invert = invert;
    }

    @Override
    public List<KsfRecord> process(KsfRecord record) {
        Object value = Fields.get(record.data(), field);
        boolean hit = value != Fields.MISSING && value != null
                && (equals != null ? equals.equals(String.valueOf(value)) : matches.matcher(String.valueOf(value)).matches());
        return hit != invert ? List.of(record) : List.of();
    }
}
