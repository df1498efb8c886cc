package io.ksf.processor;

import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Processor;
import io.ksf.spi.ProcessorFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The {@code validate} processor. */
public final class ValidateProcessorFactory implements ProcessorFactory {
    public static final Option<List<String>> REQUIRED = Option.list("required",
            "fields (dotted paths) that must be present").defaultValue(List.of());
    public static final Option<Map<String, String>> TYPES = Option.map("types",
            "field -> JSON type (object, array, string, number, integer, boolean, null)").defaultValue(Map.of());
    public static final Option<String> SCHEMA = Option.string("schema", "path of a JSON Schema file to check against");

    @Override
    public String name() {
        return "validate";
    }

    @Override
    public String description() {
        return "Sends records without the required fields, of the wrong types, or failing a JSON Schema to the dead letters";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(REQUIRED, TYPES, SCHEMA);
    }

    @Override
    public void check(Options options) {
        create(options, null);
    }

    @Override
    public Processor create(Options options, FactoryContext context) {
        List<String> required = options.require(REQUIRED);
        Map<String, String> types = options.require(TYPES);
        String schema = options.get(SCHEMA);
        if (required.isEmpty() && types.isEmpty() && schema == null) {
            throw new ConfigException(options.path() + ": expected at least one of required, types, schema");
        }
        try {
            return new ValidateProcessor(required, types, schema == null ? null : Path.of(schema));
        } catch (ConfigException e) {
            throw new ConfigException(e.problems().stream().map(p -> options.path() + "." + p).toList());
        }
    }
}
