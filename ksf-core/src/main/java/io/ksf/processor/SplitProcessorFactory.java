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

/** The {@code split} processor. */
public final class SplitProcessorFactory implements ProcessorFactory {
    public static final Option<String> FIELD = Option.string("field",
            "field (dotted path) that holds the text; default: the whole value");
    public static final Option<String> SEPARATORS = Option.string("separators",
            "regular expression where the text is cut; default: anything but letters, digits and apostrophes "
                    + "inside words");
    public static final Option<Boolean> LOWERCASE = Option.bool("lowercase", "lower-case every token")
            .defaultValue(true);

    @Override
    public String name() {
        return "split";
    }

    @Override
    public String description() {
        return "One record per token of a text, such as the words of a line";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(FIELD, SEPARATORS, LOWERCASE);
    }

    @Override
    public void check(Options options) {
        create(options, null);
    }

    @Override
    public Processor create(Options options, FactoryContext context) {
        String separators = options.get(SEPARATORS) == null ? SplitProcessor.WORDS : options.get(SEPARATORS);
        try {
            return new SplitProcessor(options.get(FIELD), Pattern.compile(separators), options.require(LOWERCASE));
        } catch (PatternSyntaxException e) {
            throw new ConfigException(options.path() + ".separators: expected a regular expression, found \""
                    + separators + "\" (" + e.getDescription() + ")");
        }
    }
}
