package io.ksf.streams;

import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Processor;
import io.ksf.spi.ProcessorFactory;

import java.util.List;
import java.util.stream.Stream;
import java.util.Locale;

/** The {@code aggregate} processor: stateful, so its pipeline runs on Kafka Streams. */
public final class AggregateProcessorFactory implements ProcessorFactory {
    public static final Option<String> TABLE = Option.string("table",
            "the table (state store); its changelog topic is <pipeline name>-<table>-changelog")
            .defaultValue("aggregates");
    public static final Option<String> FIELD = Option.string("field", "field (dotted path) of the number")
            .required();
    public static final Option<String> FUNCTION = Option.choice("function", "how the numbers of a key combine",
            "sum", "min", "max").defaultValue("sum");
    public static final Option<String> BY = Option.string("by",
            "field (dotted path) of the key; default: the record's key");
    public static final Option<Boolean> CACHE = Option.bool("cache",
            "collapse repeated updates of a key between commits (Kafka Streams' cache)").defaultValue(true);

    @Override
    public String name() {
        return "aggregate";
    }

    @Override
    public String description() {
        return "Sum, minimum or maximum of a field by key, in a table with a changelog (runs on Kafka Streams)";
    }

    @Override
    public List<Option<?>> options() {
        return Stream.concat(Stream.of(TABLE, FIELD, FUNCTION, BY, CACHE), Window.OPTIONS.stream()).toList();
    }

    @Override
    public boolean stateful() {
        return true;
    }

    @Override
    public Processor create(Options options, FactoryContext context) {
        return new AggregateStep(options.require(TABLE), options.require(FIELD),
                AggregateStep.Function.valueOf(options.require(FUNCTION).toUpperCase(Locale.ROOT)),
                options.get(BY), options.require(CACHE),
                Window.of(options));
    }
}
