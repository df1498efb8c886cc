package io.ksf.spi;

/** Makes {@link Source}s; registered in {@code META-INF/services/io.ksf.spi.SourceFactory}. */
public interface SourceFactory extends Factory {
    /** Creates a source from its checked options. */
    Source create(Options options, FactoryContext context);
}
