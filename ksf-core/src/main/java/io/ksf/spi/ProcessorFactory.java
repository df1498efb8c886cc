package io.ksf.spi;

/** Makes {@link Processor}s; registered in {@code META-INF/services/io.ksf.spi.ProcessorFactory}. */
public interface ProcessorFactory extends Factory {
    /** Creates a processor from its checked options. */
    Processor create(Options options, FactoryContext context);
}
