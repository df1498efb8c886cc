package io.ksf.spi;

/**
 * What a factory gets besides its options.
 *
 * @param path   where the component is configured, such as {@code target}, for messages
 * @param format the format configured beside it ({@code format} key), or null when none was given
 */
public record FactoryContext(String path, Format format) {

    /** The configured format, or a clear error naming the missing key. */
    public Format requireFormat() {
        if (format == null) {
            throw new ConfigException(path + ".format: missing; expected a format name such as json or csv");
        }
        return format;
    }
}
