package io.ksf.format.csv;

import io.ksf.spi.ConfigException;
import io.ksf.spi.Format;
import io.ksf.spi.FormatFactory;
import io.ksf.spi.Option;
import io.ksf.spi.Options;

import java.util.List;

/** The {@code csv} format. */
public final class CsvFormatFactory implements FormatFactory {
    public static final Option<List<String>> COLUMNS = Option.list("columns",
            "column names, in order; default: the first record's fields (encode), _c0, _c1 ... (decode)")
            .defaultValue(List.of());
    public static final Option<Boolean> HEADER = Option.bool("header", "write a header row at the top of each object")
            .defaultValue(true);
    public static final Option<String> DELIMITER = Option.string("delimiter", "one character between fields")
            .defaultValue(",");

    @Override
    public String name() {
        return "csv";
    }

    @Override
    public String description() {
        return "RFC 4180 CSV; objects have a header row";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(COLUMNS, HEADER, DELIMITER);
    }

    @Override
    public void check(Options options) {
        if (options.require(DELIMITER).length() != 1) {
            throw new ConfigException(options.path() + ".delimiter: expected one character, found \""
                    + options.require(DELIMITER) + "\"");
        }
    }

    @Override
    public Format create(Options options) {
        check(options);
        return new CsvFormat(options.require(COLUMNS), options.require(HEADER), options.require(DELIMITER).charAt(0));
    }
}
