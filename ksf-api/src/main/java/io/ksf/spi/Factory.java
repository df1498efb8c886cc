package io.ksf.spi;

import java.util.List;

/**
 * What every factory has, whatever it makes: a name and the options it accepts. Implementations are found by
 * {@link java.util.ServiceLoader} through the interface of their kind ({@link SourceFactory} ...), must have a
 * public no-argument constructor, and do nothing expensive before {@code create}.
 */
public interface Factory {

    /** One lower-case word that configs use as {@code type}, such as {@code kafka}, {@code s3}, {@code json}. */
    String name();

    /** One line: what this makes. */
    String description();

    /** The options this accepts; any other key in its config section is an error. */
    List<Option<?>> options();

    /**
     * Rules across options (one of two keys, a file that must exist ...), checked before anything is created or
     * connects; {@code options.path()} names the section in messages.
     *
     * @throws ConfigException naming the keys at fault
     */
    default void check(Options options) {
    }
}
