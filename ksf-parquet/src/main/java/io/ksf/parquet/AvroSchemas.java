package io.ksf.parquet;

import io.ksf.spi.ConfigException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Parquet schema from an Avro schema file ({@code .avsc}) of a record: fields become columns, REQUIRED unless
 * their type is a union with {@code null}; records become groups, arrays standard three-level lists; {@code int}
 * INT32, {@code long} INT64, {@code float}, {@code double}, {@code boolean}; {@code string} and {@code enum} UTF-8;
 * logical types {@code decimal} DECIMAL(precision, scale), {@code timestamp-millis}/{@code -micros}
 * TIMESTAMP(MICROS, UTC), {@code date} DATE. The records themselves stay JSON: a decimal is a JSON number or
 * numeric string, a timestamp ISO 8601 text or epoch milliseconds.
 */
final class AvroSchemas {
    private AvroSchemas() {
    }

    /** @throws ConfigException naming the file, or the field whose type cannot be a column */
    static MessageType toParquet(Path file, String where) {
        Schema schema;
        try {
            schema = new Schema.Parser().parse(file.toFile());
        } catch (IOException | SchemaParseException e) {
            throw new ConfigException(where + ": expected an Avro schema, found one that does not parse: "
                    + e.getMessage());
        }
        if (schema.getType() != Schema.Type.RECORD) {
            throw new ConfigException(where + ": expected an Avro record schema, found " + schema.getType());
        }
        return new MessageType(schema.getName(), fields(schema, where));
    }

    private static List<Type> fields(Schema record, String where) {
        List<Type> fields = new ArrayList<>();
        for (Schema.Field field : record.getFields()) {
            fields.add(column(field.name(), field.schema(), where + ".fields." + field.name()));
        }
        return fields;
    }

    private static Type column(String name, Schema schema, String where) {
        Type.Repetition repetition = Type.Repetition.REQUIRED;
        if (schema.getType() == Schema.Type.UNION) {
            List<Schema> notNull = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
            if (notNull.size() != 1) {
                throw new ConfigException(where + ": expected one type or a union of null and one type, found "
                        + schema);
            }
            schema = notNull.get(0);
            repetition = Type.Repetition.OPTIONAL;
        }
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal decimal) {
            return decimal(name, decimal.getPrecision(), decimal.getScale(), repetition);
        }
        return switch (schema.getType()) {
            case BOOLEAN -> Columns.plain(PrimitiveTypeName.BOOLEAN, repetition, name);
            case INT -> logical instanceof LogicalTypes.Date ? Columns.date(repetition, name)
                    : Columns.plain(PrimitiveTypeName.INT32, repetition, name);
            case LONG -> logical instanceof LogicalTypes.TimestampMillis
                    || logical instanceof LogicalTypes.TimestampMicros ? Columns.timestamp(repetition, name)
                    : Columns.plain(PrimitiveTypeName.INT64, repetition, name);
            case FLOAT -> Columns.plain(PrimitiveTypeName.FLOAT, repetition, name);
            case DOUBLE -> Columns.plain(PrimitiveTypeName.DOUBLE, repetition, name);
            case STRING, ENUM -> Columns.string(repetition, name);
            case RECORD -> new GroupType(repetition, name, fields(schema, where));
            case ARRAY -> Columns.list(repetition, name, column("element", optional(schema.getElementType()),
                    where + ".items"));
            default -> throw new ConfigException(where + ": expected boolean, int, long, float, double, string, "
                    + "enum, record, array or a decimal, found " + schema.getType().getName()
                    + " (JSON records have no form for it)");
        };
    }

    /** List elements may be null in JSON, whatever the schema says. */
    private static Schema optional(Schema element) {
        return element.isNullable() ? element : Schema.createUnion(Schema.create(Schema.Type.NULL), element);
    }

    private static Type decimal(String name, int precision, int scale, Type.Repetition repetition) {
        LogicalTypeAnnotation annotation = LogicalTypeAnnotation.decimalType(scale, precision);
        if (precision <= 9) {
            return Types.primitive(PrimitiveTypeName.INT32, repetition).as(annotation).named(name);
        }
        if (precision <= 18) {
            return Types.primitive(PrimitiveTypeName.INT64, repetition).as(annotation).named(name);
        }
        return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition).length(Decimals.bytesFor(precision))
                .as(annotation).named(name);
    }
}
