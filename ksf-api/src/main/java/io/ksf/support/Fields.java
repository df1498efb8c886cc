package io.ksf.support;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and replaces fields of decoded data by dotted path, such as {@code user.geo.country}. */
public final class Fields {
    /** What {@link #get} returns for a field that is not there (a present JSON null is {@code null}). */
    public static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "missing";
        }
    };

    private Fields() {
    }

    /** The value at a dotted path ({@code geo.lat}) in decoded data, or {@link #MISSING} when there is none. */
    public static Object get(Object data, String path) {
        Object current = data;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(part)) {
                return MISSING;
            }
            current = map.get(part);
        }
        return current;
    }

    /**
     * The JSON types ({@link #jsonType}) of the fields at these dotted paths of decoded data, the empty path being
     * the data itself; fields that are not there are left out.
     */
    public static Map<String, String> jsonTypes(Object data, Collection<String> paths) {
        Map<String, String> types = new HashMap<>();
        for (String path : paths) {
            Object field = path.isEmpty() ? data : get(data, path);
            if (field != MISSING) {
                types.put(path, jsonType(field));
            }
        }
        return types;
    }

    /** A copy of {@code data} (copying only the maps on the path) with the field at {@code path} set. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> with(Map<String, Object> data, String path, Object value) {
        int dot = path.indexOf('.');
        Map<String, Object> copy = new LinkedHashMap<>(data);
        if (dot < 0) {
            copy.put(path, value);
            return copy;
        }
        String head = path.substring(0, dot);
        Object child = copy.get(head);
        Map<String, Object> childMap = child instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
        copy.put(head, with(childMap, path.substring(dot + 1), value));
        return copy;
    }

    /** The JSON type of a decoded value: object, array, string, integer, number, boolean or null. */
    public static String jsonType(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return "object";
        }
        if (value instanceof List) {
            return "array";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger
                || value instanceof Short || value instanceof Byte) {
            return "integer";
        }
        if (value instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0) {
            return "integer";
        }
        if (value instanceof Number) {
            return "number";
        }
        return value.getClass().getSimpleName();
    }
}
