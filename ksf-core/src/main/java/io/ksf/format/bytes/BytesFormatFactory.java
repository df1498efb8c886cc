package io.ksf.format.bytes;

import io.ksf.spi.Format;
import io.ksf.spi.FormatFactory;
import io.ksf.spi.Option;
import io.ksf.spi.Options;

import java.util.List;

/** The {@code bytes} format: values pass through untouched. */
public final class BytesFormatFactory implements FormatFactory {
    public static final Option<String> DELIMITER = Option.string("delimiter",
            "written after each value in an object").defaultValue("\n");

    @Override
    public String name() {
        return "bytes";
    }

    @Override
    public String description() {
        return "Raw value bytes, passed through untouched; one value per line in objects";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(DELIMITER);
    }

    @Override
    public Format create(Options options) {
        return new BytesFormat(options.require(DELIMITER));
    }
}
