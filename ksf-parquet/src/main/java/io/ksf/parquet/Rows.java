package io.ksf.parquet;

import io.ksf.spi.InvalidRecordException;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * A record's decoded data as a row of a Parquet schema, in two steps: {@link #convert} checks every value against
 * its column and fails naming the field, before anything is written; {@link #emit} then writes the row, which
 * cannot fail half-way and leave the file broken.
 */
final class Rows {
    private Rows() {
    }

    /** The converted elements of a list column, null where an element is null. */
    record ListValue(Object[] elements) {
    }

    /**
     * The values of a group's fields, in its order: null, a Long, Integer, Double, Float, Boolean or Binary, an Object[]
     * for a nested group, a {@link ListValue} for a list.
     *
     * @throws InvalidRecordException naming the field that is missing or does not fit its column
     */
    static Object[] convert(GroupType group, Object data, String path) {
        if (!(data instanceof Map<?, ?> map)) {
            throw new InvalidRecordException(where(path) + "expected an object, found " + describe(data));
        }
        Object[] row = new Object[group.getFieldCount()];
        for (int i = 0; i < row.length; i++) {
            Type field = group.getType(i);
            String fieldPath = path.isEmpty() ? field.getName() : path + "." + field.getName();
            Object value = map.get(field.getName());
            if (value == null) {
                if (field.isRepetition(Type.Repetition.REQUIRED)) {
                    throw new InvalidRecordException("field '" + fieldPath + "': missing, but its column is required");
                }
                continue;
            }
            row[i] = value(field, value, fieldPath);
        }
        return row;
    }

    private static Object value(Type type, Object value, String path) {
        if (!type.isPrimitive()) {
            GroupType group = type.asGroupType();
            if (group.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
                if (!(value instanceof List<?> list)) {
                    throw new InvalidRecordException(where(path) + "expected an array, found " + describe(value));
                }
                Type element = group.getType(0).asGroupType().getType(0);
                Object[] elements = new Object[list.size()];
                for (int i = 0; i < elements.length; i++) {
                    Object item = list.get(i);
                    elements[i] = item == null ? null : value(element, item, path + "[" + i + "]");
                }
                return new ListValue(elements);
            }
            return convert(group, value, path);
        }
        PrimitiveType primitive = type.asPrimitiveType();
        LogicalTypeAnnotation logical = primitive.getLogicalTypeAnnotation();
        if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
            return Decimals.convert(primitive, decimal, value, path);
        }
        return switch (primitive.getPrimitiveTypeName()) {
            case BOOLEAN -> {
                if (!(value instanceof Boolean)) {
                    throw new InvalidRecordException(where(path) + "expected a boolean, found " + describe(value));
                }
                yield value;
            }
            case DOUBLE -> number(value, path).doubleValue();
            case FLOAT -> {
                double number = number(value, path).doubleValue();
                if (Double.isFinite(number) && Math.abs(number) > Float.MAX_VALUE) {
                    throw new InvalidRecordException(where(path) + "the number " + value + " is beyond the column's "
                            + "range (32-bit float)");
                }
                yield (float) number;
            }
            case INT64 -> logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
                    ? timestampMicros(value, path) : integer(value, path);
            case INT32 -> {
                if (logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
                    yield epochDay(value, path);
                }
                long integer = integer(value, path);
                if (integer != (int) integer) {
                    throw new InvalidRecordException(where(path) + "the integer " + integer + " is beyond the "
                            + "column's range (32 bits)");
                }
                yield (int) integer;
            }
            case BINARY -> {
                if (!(value instanceof String text)) {
                    throw new InvalidRecordException(where(path) + "expected a string, found " + describe(value));
                }
                yield Binary.fromString(text);
            }
            default -> throw new IllegalStateException("no conversion to " + primitive);
        };
    }

    private static Number number(Object value, String path) {
        if (!(value instanceof Number number)) {
            throw new InvalidRecordException(where(path) + "expected a number, found " + describe(value));
        }
        return number;
    }

    private static long integer(Object value, String path) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            if (big.bitLength() < 64) {
                return big.longValue();
            }
            throw new InvalidRecordException(where(path) + "the integer " + big + " is beyond the column's range "
                    + "(64 bits)");
        }
        if (value instanceof BigDecimal decimal && decimal.stripTrailingZeros().scale() <= 0) {
            return integer(decimal.toBigIntegerExact(), path);
        }
        throw new InvalidRecordException(where(path) + "expected an integer, found " + describe(value));
    }

    /** ISO 8601 text with an offset ({@code 2026-12-04T10:00:00Z}), or a number of milliseconds since the epoch. */
    private static long timestampMicros(Object value, String path) {
        if (value instanceof String text) {
            try {
                Instant instant = OffsetDateTime.parse(text).toInstant();
                return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new InvalidRecordException(where(path) + "expected a date-time such as 2026-12-04T10:00:00Z, "
                        + "found \"" + text + "\"");
            }
        }
        return Math.multiplyExact(integer(value, path), 1000L);
    }

    private static int epochDay(Object value, String path) {
        if (value instanceof String text) {
            try {
                return Math.toIntExact(LocalDate.parse(text).toEpochDay());
            } catch (DateTimeParseException e) {
                throw new InvalidRecordException(where(path) + "expected a date such as 2026-12-04, found \"" + text
                        + "\"");
            }
        }
        throw new InvalidRecordException(where(path) + "expected a date such as 2026-12-04, found " + describe(value));
    }

    /** Writes a row that {@link #convert} made of the same group. */
    static void emit(RecordConsumer consumer, GroupType group, Object[] row) {
        for (int i = 0; i < row.length; i++) {
            if (row[i] != null) {
                Type field = group.getType(i);
                consumer.startField(field.getName(), i);
                emitValue(consumer, field, row[i]);
                consumer.endField(field.getName(), i);
            }
        }
    }

    private static void emitValue(RecordConsumer consumer, Type type, Object value) {
        if (!type.isPrimitive()) {
            GroupType group = type.asGroupType();
            consumer.startGroup();
            if (value instanceof ListValue list) {
                Object[] elements = list.elements();
                if (elements.length > 0) {
                    GroupType repeated = group.getType(0).asGroupType();
                    Type element = repeated.getType(0);
                    consumer.startField(repeated.getName(), 0);
                    for (Object item : elements) {
                        consumer.startGroup();
                        if (item != null) {
                            consumer.startField(element.getName(), 0);
                            emitValue(consumer, element, item);
                            consumer.endField(element.getName(), 0);
                        }
                        consumer.endGroup();
                    }
                    consumer.endField(repeated.getName(), 0);
                }
            } else {
                emit(consumer, group, (Object[]) value);
            }
            consumer.endGroup();
            return;
        }
        switch (type.asPrimitiveType().getPrimitiveTypeName()) {
            case BOOLEAN -> consumer.addBoolean((Boolean) value);
            case DOUBLE -> consumer.addDouble((Double) value);
            case FLOAT -> consumer.addFloat((Float) value);
            case INT64 -> consumer.addLong((Long) value);
            case INT32 -> consumer.addInteger((Integer) value);
            case BINARY, FIXED_LEN_BYTE_ARRAY -> consumer.addBinary((Binary) value);
            default -> throw new IllegalStateException("no writer for " + type);
        }
    }

    static String where(String path) {
        return "field '" + path + "': ";
    }

    static String describe(Object value) {
        String text = String.valueOf(value);
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        String kind = value instanceof Map ? "an object" : value instanceof List ? "an array"
                : value instanceof String ? "a string" : value instanceof Boolean ? "a boolean"
                : value instanceof Number ? "a number" : value.getClass().getSimpleName();
        return kind + " (" + (value instanceof String ? "\"" + shown + "\"" : shown) + ")";
    }
}
