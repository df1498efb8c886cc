package io.ksf.spi;

/**
 * What a factory gets besides its options.
 *
 * @param path   where the component is configured, such as {@code target}, for messages
 * @param format      the format configured beside it ({@code format} key), or null when none was given
 * @param deadLetters true when the component is the dead-letter destination: it receives records as
 *                    {@code DeadLetters} builds them (original bytes, origin and error headers, an envelope as data)
 */
public record FactoryContext(String path, Format format, boolean deadLetters) {

    /** The context of a component that is not the dead-letter destination. */
    public FactoryContext(String path, Format format) {
        this(path, format, false);
    }

    /** The configured format, or a clear error naming the missing key. */
    public Format requireFormat() {
        if (format == null) {
            throw new ConfigException(path + ".format: missing; expected a format name such as json or csv");
        }
        return format;
    }
}
