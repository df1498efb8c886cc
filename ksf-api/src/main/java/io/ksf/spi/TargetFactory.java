package io.ksf.spi;

/** Makes {@link Target}s; registered in {@code META-INF/services/io.ksf.spi.TargetFactory}. */
public interface TargetFactory extends Factory {
    /** Creates a target from its checked options; the context carries its format. */
    Target create(Options options, FactoryContext context);
}
