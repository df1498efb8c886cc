package io.ksf.streams;

import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Processor;
import io.ksf.spi.ProcessorFactory;

import java.util.List;
import java.util.stream.Stream;

/** The {@code count} processor: stateful, so its pipeline runs on Kafka Streams. */
public final class CountProcessorFactory implements ProcessorFactory {
    public static final Option<String> TABLE = Option.string("table",
            "the table (state store) of counts; its changelog topic is <pipeline name>-<table>-changelog")
            .defaultValue("counts");
    public static final Option<String> FIELD = Option.string("field",
            "field (dotted path) whose value is counted; default: the record's data (a word from split, say)");
    public static final Option<Boolean> CACHE = Option.bool("cache",
            "collapse repeated updates of a key between commits (Kafka Streams' cache); false: one changelog and "
                    + "output record per input record").defaultValue(true);

    @Override
    public String name() {
        return "count";
    }

    @Override
    public String description() {
        return "Counts records by a field or their data, in a table with a changelog (runs on Kafka Streams)";
    }

    @Override
    public List<Option<?>> options() {
        return Stream.concat(Stream.of(TABLE, FIELD, CACHE), Window.OPTIONS.stream()).toList();
    }

    @Override
    public boolean stateful() {
        return true;
    }

    @Override
    public Processor create(Options options, FactoryContext context) {
        return new CountStep(options.require(TABLE), options.get(FIELD), options.require(CACHE),
                Window.of(options));
    }
}
