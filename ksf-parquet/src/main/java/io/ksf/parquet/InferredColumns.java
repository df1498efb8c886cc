package io.ksf.parquet;

import io.ksf.spi.InvalidRecordException;
import io.ksf.support.Fields;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Columns inferred from the records, shared by every object of one format: until the first object is finished
 * each record adds its fields (objects become groups, arrays lists; integers widen to double when a fraction
 * arrives); finishing the first object fixes them. After that a record with a new field or a value of another
 * kind is refused ({@link SchemaChange#DEAD_LETTER}) or widens the columns of the objects it goes into
 * ({@link SchemaChange#NEW_SCHEMA}). A value of another kind than its column (a string where numbers were seen)
 * is always refused. Every inferred column is OPTIONAL; a field seen only as null or {@code []} has no column yet.
 */
final class InferredColumns {
    /** What happens to a record that does not fit the columns once they are fixed. */
    enum SchemaChange { DEAD_LETTER, NEW_SCHEMA }

    private enum Kind { BOOLEAN, LONG, DOUBLE, STRING, OBJECT, LIST }

    /** A field's inferred kind; null while only nulls were seen. */
    private static final class Column {
        Kind kind;
        final Map<String, Column> fields = new LinkedHashMap<>();
        Column element;
    }

    private final SchemaChange change;
    private final Column root = new Column();
    private boolean fixed;
    /** Whether some column is known: once one is, there always is (columns only grow). */
    private boolean hasColumns;

    InferredColumns(SchemaChange change) {
        this.change = change;
        root.kind = Kind.OBJECT;
    }

    /** Whether objects must hold their records until they are finished, because the columns may still grow. */
    synchronized boolean mayGrow() {
        return !fixed || change == SchemaChange.NEW_SCHEMA;
    }

    /**
     * Takes a record's data into the columns, or refuses it whole (nothing of it is added).
     *
     * @throws InvalidRecordException naming the field that does not fit
     */
    synchronized void accept(Object data) {
        boolean grow = mayGrow();
        if (!(data instanceof Map<?, ?> map)) {
            throw new InvalidRecordException("expected an object whose fields become columns, found "
                    + Rows.describe(data));
        }
        if (!hasColumns && !hasScalar(map)) {
            throw new InvalidRecordException("no field with a value: no column can be inferred from it");
        }
        visit(root, data, "", grow, false);
        if (grow) {
            visit(root, data, "", true, true);
            hasColumns = hasColumns || !fields(root).isEmpty();
        }
    }

    /** The columns as they are now; the first call with rows to write fixes them. */
    synchronized MessageType schema(boolean fix) {
        fixed |= fix;
        List<Type> fields = fields(root);
        if (fields.isEmpty()) {
            throw new IllegalStateException("no column inferred yet");
        }
        return new MessageType("record", fields);
    }

    /** Checks a value against its column ({@code apply} false: throws, changes nothing) or merges it in. */
    private static void visit(Column column, Object value, String path, boolean grow, boolean apply) {
        if (value == null) {
            return;
        }
        Kind kind = kindOf(value, path);
        if (column.kind == null || column.kind == Kind.LONG && kind == Kind.DOUBLE) {
            if (!grow) {
                throw new InvalidRecordException(where(path) + (column.kind == null
                        ? "not among the columns the first object fixed" : "a fraction in a column of integers")
                        + " (schema.change dead-letter), found " + Rows.describe(value));
            }
            if (apply) {
                column.kind = kind;
            }
        } else if (column.kind != kind && !(column.kind == Kind.DOUBLE && kind == Kind.LONG)) {
            throw new InvalidRecordException(where(path) + "expected " + describe(column.kind)
                    + " as in the records before, found " + Rows.describe(value));
        }
        if (kind == Kind.OBJECT) {
            for (Map.Entry<?, ?> field : ((Map<?, ?>) value).entrySet()) {
                String name = String.valueOf(field.getKey());
                Column child = column.fields.get(name);
                if (child == null) {
                    if (field.getValue() == null) {
                        continue;
                    }
                    child = new Column();
                    if (apply) {
                        column.fields.put(name, child);
                    }
                }
                visit(child, field.getValue(), path.isEmpty() ? name : path + "." + name, grow, apply);
            }
        } else if (kind == Kind.LIST) {
            List<?> items = (List<?>) value;
            for (int i = 0; i < items.size(); i++) {
                if (column.element == null) {
                    if (items.get(i) == null) {
                        continue;
                    }
                    Column element = new Column();
                    if (apply) {
                        column.element = element;
                    }
                    visit(element, items.get(i), path + "[" + i + "]", grow, apply);
                } else {
                    visit(column.element, items.get(i), path + "[" + i + "]", grow, apply);
                }
            }
        }
    }

    private static boolean hasScalar(Object value) {
        if (value instanceof Map<?, ?> map) {
            return map.values().stream().anyMatch(InferredColumns::hasScalar);
        }
        if (value instanceof List<?> list) {
            return list.stream().anyMatch(InferredColumns::hasScalar);
        }
        return value != null;
    }

    /** The kind of a value, by its JSON type ({@link Fields#jsonType}); integers must fit 64 bits. */
    private static Kind kindOf(Object value, String path) {
        return switch (Fields.jsonType(value)) {
            case "boolean" -> Kind.BOOLEAN;
            case "integer" -> {
                BigInteger big = value instanceof BigInteger b ? b
                        : value instanceof BigDecimal d ? d.toBigInteger() : null;
                if (big != null && big.bitLength() >= 64) {
                    throw new InvalidRecordException(where(path) + "the integer " + big + " is beyond a column's "
                            + "range (64 bits)");
                }
                yield Kind.LONG;
            }
            case "number" -> Kind.DOUBLE;
            case "string" -> Kind.STRING;
            case "object" -> Kind.OBJECT;
            case "array" -> Kind.LIST;
            default -> throw new InvalidRecordException(where(path) + "no column type for " + Rows.describe(value));
        };
    }

    private static List<Type> fields(Column group) {
        List<Type> fields = new ArrayList<>();
        group.fields.forEach((name, column) -> {
            Type type = type(name, column, Type.Repetition.OPTIONAL);
            if (type != null) {
                fields.add(type);
            }
        });
        return fields;
    }

    /** The column's Parquet type, or null while nothing tells it. */
    private static Type type(String name, Column column, Type.Repetition repetition) {
        if (column.kind == null) {
            return null;
        }
        return switch (column.kind) {
            case BOOLEAN -> Columns.plain(PrimitiveTypeName.BOOLEAN, repetition, name);
            case LONG -> Columns.plain(PrimitiveTypeName.INT64, repetition, name);
            case DOUBLE -> Columns.plain(PrimitiveTypeName.DOUBLE, repetition, name);
            case STRING -> Columns.string(repetition, name);
            case OBJECT -> {
                List<Type> fields = fields(column);
                yield fields.isEmpty() ? null : new GroupType(repetition, name, fields);
            }
            case LIST -> {
                Type element = column.element == null ? null
                        : type("element", column.element, Type.Repetition.OPTIONAL);
                yield element == null ? null : Columns.list(repetition, name, element);
            }
        };
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case BOOLEAN -> "a boolean";
            case LONG -> "an integer";
            case DOUBLE -> "a number";
            case STRING -> "a string";
            case OBJECT -> "an object";
            case LIST -> "an array";
        };
    }

    private static String where(String path) {
        return "field '" + path + "': ";
    }
}
