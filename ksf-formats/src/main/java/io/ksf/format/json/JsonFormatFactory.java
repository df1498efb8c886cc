package io.ksf.format.json;

import io.ksf.spi.Format;
import io.ksf.spi.FormatFactory;
import io.ksf.spi.Option;
import io.ksf.spi.Options;

import java.util.List;

/** The {@code json} format. */
public final class JsonFormatFactory implements FormatFactory {
    @Override
    public String name() {
        return "json";
    }

    @Override
    public String description() {
        return "One JSON document per record; objects are JSON Lines";
    }

    @Override
    public List<Option<?>> options() {
        return List.of();
    }

    @Override
    public Format create(Options options) {
        return new JsonFormat();
    }
}
