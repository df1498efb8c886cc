package io.ksf.file;

import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Target;
import io.ksf.spi.TargetFactory;

import java.nio.file.Path;
import java.util.List;

/** The {@code file} target: objects in a local folder, laid out as in S3. */
public final class FileTargetFactory implements TargetFactory {
    public static final Option<String> PATH = Option.string("path", "local folder to write objects under").required();
    public static final Option<String> PREFIX = Option.string("prefix",
            "prepended to every object name, such as curated/").defaultValue("");

    @Override
    public String name() {
        return "file";
    }

    @Override
    public String description() {
        return "Writes one object per partition and flush to a local folder, atomically, named as in S3";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(PATH, PREFIX);
    }

    @Override
    public Target create(Options options, FactoryContext context) {
        return new FileTarget(Path.of(options.require(PATH)), options.require(PREFIX), context.requireFormat());
    }
}
