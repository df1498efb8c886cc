package io.ksf.processor;

import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import io.ksf.support.Fields;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One record becomes one per token of its text, such as the words of a line: the text is cut where the separator
 * pattern matches, optionally lower-cased, and empty tokens are dropped. Each token is the data of a record that
 * keeps the input's origin, key and headers. The text is a field of the decoded data, or the whole value.
 */
public final class SplitProcessor implements Processor {
    /** Separators by default: anything that is neither a letter, a digit nor an apostrophe inside a word. */
    public static final String WORDS = "[^\\p{L}\\p{N}']+|(?<![\\p{L}\\p{N}])'|'(?![\\p{L}\\p{N}])";

    private final String field;
    private final Pattern separators;
    private final boolean lowercase;

    /**
     * @param field      the field (dotted path) that holds the text, or null for the whole value
     * @param separators where the text is cut
     * @param lowercase  whether tokens are lower-cased (by the root locale)
     */
    public SplitProcessor(String field, Pattern separators, boolean lowercase) {
        this.field = field;
        this.separators = separators;
        this.lowercase = lowercase;
    }

    @Override
    public List<KsfRecord> process(KsfRecord record) {
        String text = text(record);
        if (text == null) {
            return List.of();
        }
        List<KsfRecord> out = new ArrayList<>();
        for (String token : separators.split(lowercase ? text.toLowerCase(Locale.ROOT) : text)) {
            if (!token.isEmpty()) {
                out.add(record.withData(token));
            }
        }
        return out;
    }

    private String text(KsfRecord record) {
        if (field != null) {
            Object value = Fields.get(record.data(), field);
            if (value == Fields.MISSING) {
                throw new InvalidRecordException("invalid record: field '" + field + "' is missing");
            }
            return value == null ? null : String.valueOf(value);
        }
        if (record.decoded()) {
            Object data = record.data();
            if (data instanceof byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8); // decoded by the bytes format
            }
            return data == null ? null : data instanceof String s ? s : String.valueOf(data);
        }
        return record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
    }
}
