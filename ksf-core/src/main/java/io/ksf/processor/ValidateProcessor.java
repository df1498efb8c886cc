package io.ksf.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import io.ksf.spi.ConfigException;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import io.ksf.spi.SupportsUndecoded;
import io.ksf.support.Fields;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks each record's value: required fields present, fields of the expected JSON type, and optionally a JSON
 * Schema. A record that fails goes to the dead letters with every problem found in its message. Without a JSON
 * Schema it needs only the fields' types, which the source format reads without decoding ({@link
 * Format#fieldTypes}): a valid value then goes on byte for byte when the target takes it as read.
 */
public final class ValidateProcessor implements Processor, SupportsUndecoded {
    static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<String> required;
    private final Map<String, String> types;
    private final JsonSchema schema;
    /** The value itself and every field the checks read ({@link Fields#jsonTypes}, {@link Format#fieldTypes}). */
    private final List<String> paths;

    /**
     * @param required fields (dotted paths) that must be present
     * @param types    field -> JSON type (object, array, string, number, integer, boolean, null); the field must be
     *                 present and of that type
     * @param schema   a JSON Schema file that every value must satisfy, or null; its {@code $schema} picks the
     *                 draft, 2020-12 when it has none
     * @throws ConfigException when a type is unknown, or the schema cannot be read or used
     */
    public ValidateProcessor(List<String> required, Map<String, String> types, Path schema) {
        this.required = List.copyOf(required);
        this.types = new TreeMap<>(types); // sorted, so messages are stable
        types.forEach((field, type) -> {
            if (!TYPES.contains(type)) {
                throw new ConfigException("types." + field + ": expected one of " + String.join(", ",
                        new TreeSet<>(TYPES)) + ", found \"" + type + "\"");
            }
        });
        this.schema = schema == null ? null : loadSchema(schema);
        Set<String> read = new LinkedHashSet<>(List.of(""));
        read.addAll(this.required);
        read.addAll(this.types.keySet());
        this.paths = List.copyOf(read);
    }

    private static JsonSchema loadSchema(Path file) {
        try {
            JsonNode node = MAPPER.readTree(Files.readString(file));
            SpecVersion.VersionFlag version = SpecVersionDetector.detectOptionalVersion(node, false)
                    .orElse(SpecVersion.VersionFlag.V202012);
            return JsonSchemaFactory.getInstance(version).getSchema(node);
        } catch (IOException e) {
            throw new ConfigException("schema: cannot read JSON Schema " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigException("schema: " + file + " is not a usable JSON Schema: " + e.getMessage());
        }
    }

    @Override
    public List<KsfRecord> process(KsfRecord record) {
        Object data = record.data();
        Map<String, String> found = Fields.jsonTypes(data, paths);
        List<String> problems = problems(found.get(""), found::get);
        if (schema != null && problems.isEmpty()) {
            Set<ValidationMessage> messages = schema.validate(MAPPER.valueToTree(data));
            problems.addAll(messages.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.toList()));
        }
        return judged(record, problems);
    }

    /** Without a JSON Schema, the fields' types are all it needs: any format reads them, JSON off the bytes. */
    @Override
    public boolean takesUndecoded(Format sourceFormat) {
        return schema == null;
    }

    @Override
    public List<KsfRecord> processUndecoded(KsfRecord record, Format sourceFormat) {
        Map<String, String> found = sourceFormat.fieldTypes(record.value(), paths);
        return judged(record, problems(found.get(""), found::get));
    }

    private static List<KsfRecord> judged(KsfRecord record, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidRecordException("invalid record: " + String.join("; ", problems));
        }
        return List.of(record);
    }

    /** @param typeOf the JSON type of the field at a dotted path, or null when it is missing */
    private List<String> problems(String rootType, Function<String, String> typeOf) {
        List<String> problems = new ArrayList<>();
        if (!rootType.equals("object") && (!required.isEmpty() || !types.isEmpty())) {
            problems.add("expected a JSON object, found " + rootType);
            return problems;
        }
        for (String field : required) {
            if (typeOf.apply(field) == null) {
                problems.add("field '" + field + "' is missing");
            }
        }
        types.forEach((field, type) -> {
            String actual = typeOf.apply(field);
            if (actual == null) {
                if (!required.contains(field)) {
                    problems.add("field '" + field + "' is missing");
                }
                return;
            }
            if (!actual.equals(type) && !(type.equals("number") && actual.equals("integer"))) {
                problems.add("field '" + field + "' should be " + type + " but is " + actual);
            }
        });
        return problems;
    }
}
