package io.ksf.processor;

import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Processor;
import io.ksf.spi.ProcessorFactory;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The {@code filter} processor. */
public final class FilterProcessorFactory implements ProcessorFactory {
    public static final Option<String> FIELD = Option.string("field", "field (dotted path) to test").required();
    public static final Option<String> EQUALS = Option.string("equals", "keep records whose field has this value");
    public static final Option<String> MATCHES = Option.string("matches",
            "keep records whose field matches this regular expression");
    public static final Option<Boolean> INVERT = Option.bool("invert", "keep the records that do not pass instead")
            .defaultValue(false);

    @Override
    public String name() {
        return "filter";
    }

    @Override
    public String description() {
        return "Keeps records whose field equals a value or matches a regular expression";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(FIELD, EQUALS, MATCHES, INVERT);
    }

    @Override
    public void check(Options options) {
        create(options, null);
    }

    @Override
    public Processor create(Options options, FactoryContext context) {
        String equals = options.get(EQUALS);
        String matches = options.get(MATCHES);
        if ((equals == null) == (matches == null)) {
            throw new ConfigException(options.path() + ": expected exactly one of equals, matches");
        }
        Pattern pattern = null;
        if (matches != null) {
            try {
                pattern = Pattern.compile(matches);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(options.path() + ".matches: expected a regular expression, found \""
                        + matches + "\" (" + e.getDescription() + ")");
            }
        }
        return new FilterProcessor(options.require(FIELD), equals, pattern, options.require(INVERT));
    }
}
