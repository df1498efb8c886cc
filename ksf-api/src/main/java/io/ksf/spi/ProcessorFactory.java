package io.ksf.spi;

/** Makes {@link Processor}s; registered in {@code META-INF/services/io.ksf.spi.ProcessorFactory}. */
public interface ProcessorFactory extends Factory {
    /** Creates a processor from its checked options. */
    Processor create(Options options, FactoryContext context);

    /**
     * True for processors that keep state across records (counts, aggregates): a pipeline with one runs as a
     * Kafka Streams topology ({@code ksf-streams}), which needs a Kafka source and a Kafka target.
     */
    default boolean stateful() {
        return false;
    }
}
