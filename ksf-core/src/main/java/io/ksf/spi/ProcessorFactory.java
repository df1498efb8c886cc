package io.ksf.spi;

/** Makes {@link Processor}s; registered in {@code META-INF/services/io.ksf.spi.ProcessorFactory}. */
public interface ProcessorFactory extends Factory {
    Processor create(Options options, FactoryContext context);
}
