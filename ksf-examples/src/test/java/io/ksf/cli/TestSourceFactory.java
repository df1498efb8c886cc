package io.ksf.cli;

import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Source;
import io.ksf.spi.SourceFactory;

import java.util.List;

/** A source factory for command-line tests, so configs can be validated without the Kafka module. */
public final class TestSourceFactory implements SourceFactory {
    @Override
    public String name() {
        return "file-test";
    }

    @Override
    public String description() {
        return "test source";
    }

    @Override
    public List<Option<?>> options() {
        return List.of();
    }

    @Override
    public Source create(Options options, FactoryContext context) {
        throw new UnsupportedOperationException("validation only");
    }
}
