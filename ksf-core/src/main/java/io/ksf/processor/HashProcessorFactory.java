package io.ksf.processor;

import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Processor;
import io.ksf.spi.ProcessorFactory;

import java.util.List;

/** The {@code hash} processor. */
public final class HashProcessorFactory implements ProcessorFactory {
    public static final Option<String> ALGORITHM = Option.choice("algorithm", "digest to use", "md5", "sha-256")
            .defaultValue("md5");
    public static final Option<List<String>> FIELDS = Option.list("fields",
            "fields (dotted paths) to replace by their hex digest; empty: hash the whole value").defaultValue(List.of());
    public static final Option<String> OUTPUT_FIELD = Option.string("output.field",
            "field holding the digest when the whole value is hashed").defaultValue("hash");

    @Override
    public String name() {
        return "hash";
    }

    @Override
    public String description() {
        return "Replaces fields, or the whole value, by their MD5 or SHA-256 hex digest";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(ALGORITHM, FIELDS, OUTPUT_FIELD);
    }

    @Override
    public Processor create(Options options, FactoryContext context) {
        String algorithm = options.require(ALGORITHM).equals("md5") ? "MD5" : "SHA-256";
        return new HashProcessor(algorithm, options.require(FIELDS), options.require(OUTPUT_FIELD));
    }
}
