package io.ksf.spi;

/** Makes {@link Format}s; registered in {@code META-INF/services/io.ksf.spi.FormatFactory}. */
public interface FormatFactory extends Factory {
    /** Creates a format from its checked options. */
    Format create(Options options);
}
