package io.ksf.format.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.ksf.spi.InvalidRecordException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON types of some fields of a document, read in one pass of Jackson's streaming parser without building
 * the document: the parts that are not asked for are skipped, though in a value with bytes beyond ASCII every
 * string is still decoded (so invalid UTF-8 is refused as a full decode refuses it), and the document must end where
 * its root value ends. Duplicate keys count as a full decode counts them: the last one.
 */
final class JsonFieldTypes {
    /** A key on the way to the fields asked for: its path when it is one, and the keys below it. */
    private static final class Node {
        final Map<String, Node> children = new HashMap<>();
        final List<String> pathsBelow = new ArrayList<>();
        String path;
    }

    /** Thrown where only a full decode can tell whether the value is valid: a number that may be beyond a double. */
    static final class NeedsFullDecode extends RuntimeException {
        NeedsFullDecode() {
            super(null, null, false, false);
        }
    }

    private static final NeedsFullDecode NEEDS_FULL_DECODE = new NeedsFullDecode();

    private final Collection<String> paths;
    private final Node root = new Node();

    /** @param paths dotted paths; the empty path names the document itself */
    JsonFieldTypes(Collection<String> paths) {
        this.paths = paths;
        for (String path : paths) {
            if (path.isEmpty()) {
                continue;
            }
            Node node = root;
            for (String part : path.split("\\.")) {
                node = node.children.computeIfAbsent(part, key -> new Node());
                node.pathsBelow.add(path);
            }
            node.path = path;
        }
    }

    /** Whether these are the paths this reader was made for (the same collection). */
    boolean readsPaths(Collection<String> wanted) {
        return wanted == paths;
    }

    /**
     * @throws InvalidRecordException when the bytes are not one valid JSON document
     * @throws NeedsFullDecode        when a number has an exponent or more than 300 digits
     */
    Map<String, String> read(JsonFactory factory, byte[] value) {
        Map<String, String> types = new HashMap<>();
        try (JsonParser parser = factory.createParser(value)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new InvalidRecordException("not valid JSON: no content (an empty value)");
            }
            types.put("", type(token, parser));
            checkNumber(token, parser);
            boolean decodeStrings = !ascii(value);
            if (token == JsonToken.START_OBJECT) {
                walk(parser, root, types, decodeStrings);
            } else {
                skip(parser, token, decodeStrings);
            }
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw new InvalidRecordException("not valid JSON: trailing token (" + trailing + ") after the "
                        + "document's end");
            }
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidRecordException("not valid JSON: " + e.getMessage(), e);
        }
        return types;
    }

    /** The parser is on an object's start: reads its fields up to its end. */
    private static void walk(JsonParser parser, Node node, Map<String, String> types, boolean decodeStrings)
            throws IOException {
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            Node child = node.children.get(parser.currentName());
            JsonToken value = parser.nextToken();
            if (child == null) {
                skip(parser, value, decodeStrings);
                continue;
            }
            checkNumber(value, parser);
            child.pathsBelow.forEach(types::remove); // a later duplicate key replaces all of an earlier one
            if (child.path != null) {
                types.put(child.path, type(value, parser));
            }
            if (value == JsonToken.START_OBJECT && !child.children.isEmpty()) {
                walk(parser, child, types, decodeStrings);
            } else {
                skip(parser, value, decodeStrings);
            }
        }
    }

    /** Bytes below 0x80 only: no string can hold invalid UTF-8. */
    private static boolean ascii(byte[] value) {
        for (byte b : value) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** Passes over a value, decoding every string in it when asked. */
    private static void skip(JsonParser parser, JsonToken token, boolean decodeStrings) throws IOException {
        if (token == JsonToken.VALUE_STRING && decodeStrings) {
            parser.getTextLength();
        } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            checkNumber(token, parser);
        } else if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            int depth = 1;
            while (depth > 0) {
                JsonToken next = parser.nextToken();
                if (next == JsonToken.START_OBJECT || next == JsonToken.START_ARRAY) {
                    depth++;
                } else if (next == JsonToken.END_OBJECT || next == JsonToken.END_ARRAY) {
                    depth--;
                } else if (next == JsonToken.VALUE_STRING && decodeStrings) {
                    parser.getTextLength();
                } else if (next == JsonToken.VALUE_NUMBER_INT || next == JsonToken.VALUE_NUMBER_FLOAT) {
                    checkNumber(next, parser);
                }
            }
        }
    }

    /** A number decode would have to look at: beyond a double only with an exponent or more than 300 digits. */
    private static void checkNumber(JsonToken token, JsonParser parser) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            return;
        }
        int length = parser.getTextLength();
        if (length > 300) {
            throw NEEDS_FULL_DECODE;
        }
        if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            char[] text = parser.getTextCharacters();
            int start = parser.getTextOffset();
            for (int i = start; i < start + length; i++) {
                if ((text[i] | 0x20) == 'e') {
                    throw NEEDS_FULL_DECODE;
                }
            }
        }
    }

    /** As {@code Fields.jsonType} names the decoded value: decimals without a fraction are integers. */
    private static String type(JsonToken token, JsonParser parser) throws IOException {
        return switch (token) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT -> "integer";
            case VALUE_NUMBER_FLOAT -> parser.getDecimalValue().stripTrailingZeros().scale() <= 0 ? "integer"
                    : "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> throw new IllegalStateException("no JSON type for " + token);
        };
    }
}
