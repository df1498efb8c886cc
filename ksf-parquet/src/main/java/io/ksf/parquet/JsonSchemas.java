package io.ksf.parquet;

import io.ksf.spi.ConfigException;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Parquet schema from a JSON Schema, as the {@code validate} processor reads one: an object's {@code properties}
 * become columns (groups for nested objects, standard three-level lists for arrays), {@code required} ones are
 * REQUIRED and the rest OPTIONAL; {@code integer} is INT64, {@code number} DOUBLE, {@code boolean} BOOLEAN,
 * {@code string} UTF-8, with {@code format: date-time} as TIMESTAMP(MICROS, UTC) and {@code format: date} as DATE.
 */
final class JsonSchemas {
    private JsonSchemas() {
    }

    /**
     * @param schema the JSON Schema, decoded
     * @param where  where it came from, for messages
     * @throws ConfigException naming the property whose type cannot be a column
     */
    static MessageType toParquet(Map<String, Object> schema, String where) {
        if (!"object".equals(typeOf(schema, where))) {
            throw new ConfigException(where + ": expected a schema of type object, found " + schema.get("type"));
        }
        return new MessageType("record", fields(schema, where));
    }

    @SuppressWarnings("unchecked")
    private static List<Type> fields(Map<String, Object> object, String where) {
        Object properties = object.get("properties");
        if (!(properties instanceof Map<?, ?> map) || map.isEmpty()) {
            throw new ConfigException(where + ".properties: expected the object's properties, found " + properties);
        }
        List<?> required = object.get("required") instanceof List<?> list ? list : List.of();
        List<Type> fields = new ArrayList<>();
        for (Map.Entry<String, Object> property : ((Map<String, Object>) map).entrySet()) {
            if (!(property.getValue() instanceof Map<?, ?> definition)) {
                throw new ConfigException(where + ".properties." + property.getKey() + ": expected a schema, found "
                        + property.getValue());
            }
            Type.Repetition repetition = required.contains(property.getKey()) ? Type.Repetition.REQUIRED
                    : Type.Repetition.OPTIONAL;
            fields.add(field(property.getKey(), (Map<String, Object>) definition, repetition,
                    where + ".properties." + property.getKey()));
        }
        return fields;
    }

    @SuppressWarnings("unchecked")
    private static Type field(String name, Map<String, Object> definition, Type.Repetition repetition, String where) {
        String type = typeOf(definition, where);
        return switch (type) {
            case "string" -> switch (String.valueOf(definition.get("format"))) {
                case "date-time" -> Columns.timestamp(repetition, name);
                case "date" -> Columns.date(repetition, name);
                default -> Columns.string(repetition, name);
            };
            case "integer" -> Columns.plain(PrimitiveTypeName.INT64, repetition, name);
            case "number" -> Columns.plain(PrimitiveTypeName.DOUBLE, repetition, name);
            case "boolean" -> Columns.plain(PrimitiveTypeName.BOOLEAN, repetition, name);
            case "object" -> new GroupType(repetition, name, fields(definition, where));
            case "array" -> {
                if (!(definition.get("items") instanceof Map<?, ?> items)) {
                    throw new ConfigException(where + ".items: expected the schema of the array's items, found "
                            + definition.get("items"));
                }
                Type element = field("element", (Map<String, Object>) items, Type.Repetition.OPTIONAL,
                        where + ".items");
                yield Columns.list(repetition, name, element);
            }
            default -> throw new ConfigException(where + ".type: expected string, integer, number, boolean, object "
                    + "or array, found " + type);
        };
    }

    /** The type, where {@code ["string", "null"]} is a string (every column but a required one may be null). */
    private static String typeOf(Map<String, Object> definition, String where) {
        Object type = definition.get("type");
        if (type instanceof List<?> types) {
            List<?> notNull = types.stream().filter(t -> !"null".equals(t)).toList();
            if (notNull.size() == 1) {
                return String.valueOf(notNull.get(0));
            }
        } else if (type instanceof String text) {
            return text;
        }
        throw new ConfigException(where + ".type: expected one type (or one and \"null\"), found " + type);
    }
}
