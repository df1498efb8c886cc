package io.ksf.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import io.ksf.spi.ConfigException;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import io.ksf.support.Fields;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks each record's decoded value: required fields present, fields of the expected JSON type, and optionally a
 * JSON Schema. A record that fails goes to the dead letters with every problem found in its message.
 */
public final class ValidateProcessor implements Processor {
    static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<String> required;
    private final Map<String, String> types;
    private final JsonSchema schema;

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
        List<String> problems = new ArrayList<>();
        if (!(data instanceof Map) && (!required.isEmpty() || !types.isEmpty())) {
            problems.add("expected a JSON object, found " + Fields.jsonType(data));
        } else {
            for (String field : required) {
                if (Fields.get(data, field) == Fields.MISSING) {
                    problems.add("field '" + field + "' is missing");
                }
            }
            types.forEach((field, type) -> {
                Object value = Fields.get(data, field);
                if (value == Fields.MISSING) {
                    if (!required.contains(field)) {
                        problems.add("field '" + field + "' is missing");
                    }
                    return;
                }
                String actual = Fields.jsonType(value);
                if (!actual.equals(type) && !(type.equals("number") && actual.equals("integer"))) {
                    problems.add("field '" + field + "' should be " + type + " but is " + actual);
                }
            });
        }
        if (schema != null && problems.isEmpty()) {
            Set<ValidationMessage> messages = schema.validate(MAPPER.valueToTree(data));
            problems.addAll(messages.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.toList()));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRecordException("invalid record: " + String.join("; ", problems));
        }
        return List.of(record);
    }
}
