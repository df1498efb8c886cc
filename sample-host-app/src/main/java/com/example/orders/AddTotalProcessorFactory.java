package com.example.orders;

import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Processor;
import io.ksf.spi.ProcessorFactory;

import java.util.List;

/** Makes {@link AddTotalProcessor} available to configs as {@code {"type": "add-total"}}, found by ServiceLoader. */
public final class AddTotalProcessorFactory implements ProcessorFactory {
    @Override
    public String name() {
        return "add-total";
    }

    @Override
    public String description() {
        return "Adds total = price * quantity to each order";
    }

    @Override
    public List<Option<?>> options() {
        return List.of();
    }

    @Override
    public Processor create(Options options, FactoryContext context) {
        return new AddTotalProcessor();
    }
}
