package io.ksf.spi;

/** Makes {@link Target}s; registered in {@code META-INF/services/io.ksf.spi.TargetFactory}. */
public interface TargetFactory extends Factory {
    /**
     * Rules across this target's options and its format (a format that compresses itself with object compression,
     * say), checked with {@link #check(Options)}, before anything is created or connects.
     *
     * @param format the name of the target's format
     * @throws ConfigException naming the key
     */
    default void check(Options options, String format) {
    }

    /** Creates a target from its checked options; the context carries its format. */
    Target create(Options options, FactoryContext context);
}
