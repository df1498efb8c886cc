package io.ksf.docdb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.ksf.spi.InvalidRecordException;
import io.ksf.support.Utf8;
import org.bson.BsonBinaryWriter;
import org.bson.RawBsonDocument;
import org.bson.io.BasicOutputBuffer;
import org.bson.types.Decimal128;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Reads one JSON document straight into BSON bytes, in one pass and without a tree of maps in between. It stores
 * what the decoded path ({@link DocDbTarget#document}) stores: integers as int32, int64 or Decimal128 by size,
 * decimals as doubles, objects and arrays in order; and it refuses what that path refuses (a value that is not an
 * object, invalid JSON, a field name starting with $ or holding NUL outside arrays, a lone surrogate, a number
 * beyond a double). A field name that appears twice in one object is refused too, where a map kept the last, and so
 * is a name holding NUL inside an array, which BSON cannot store.
 */
final class JsonToBson {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final JsonParser parser;
    private final BsonBinaryWriter writer;
    /** Only a document with a backslash-u-D escape can hold a lone surrogate; the others skip the check. */
    private final boolean checkSurrogates;

    private JsonToBson(JsonParser parser, BsonBinaryWriter writer, boolean checkSurrogates) {
        this.parser = parser;
        this.writer = writer;
        this.checkSurrogates = checkSurrogates;
    }

    /**
     * @param json   one JSON object, UTF-8
     * @param skipId leave out a top-level {@code _id} field: the upsert's filter gives the document its id
     */
    static RawBsonDocument convert(byte[] json, boolean skipId) {
        BasicOutputBuffer buffer = new BasicOutputBuffer(json.length + 64);
        try (JsonParser parser = JSON.createParser(json); BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new InvalidRecordException("a document must be a JSON object, found " + type(first));
            }
            new JsonToBson(parser, writer, mayHoldSurrogates(json)).object(skipId, "", true);
            if (parser.nextToken() != null) {
                throw new InvalidRecordException("not valid JSON: more content after the document");
            }
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidRecordException("not valid JSON: " + e.getMessage(), e);
        }
        return new RawBsonDocument(buffer.getInternalBuffer(), 0, buffer.getSize());
    }

    private void object(boolean skipId, String path, boolean checkNames) throws IOException {
        writer.writeStartDocument();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            if (skipId && name.equals("_id")) {
                parser.skipChildren();
                continue;
            }
            if ((checkNames && name.startsWith("$")) || name.indexOf('\0') >= 0) {
                throw new InvalidRecordException("invalid field name '" + path + name + "': it may not start with $ "
                        + "or contain NUL");
            }
            checkText(name);
            writer.writeName(name);
            value(token, path + name + ".", checkNames);
        }
        writer.writeEndDocument();
    }

    private void value(JsonToken token, String path, boolean checkNames) throws IOException {
        switch (token) {
            case START_OBJECT -> object(false, path, checkNames);
            case START_ARRAY -> {
                writer.writeStartArray();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
                    value(next, path, false); // as the decoded path: names inside arrays are the server's to judge
                }
                writer.writeEndArray();
            }
            case VALUE_STRING -> {
                String text = parser.getText();
                checkText(text);
                writer.writeString(text);
            }
            case VALUE_NUMBER_INT -> {
                switch (parser.getNumberType()) {
                    case INT -> writer.writeInt32(parser.getIntValue());
                    case LONG -> writer.writeInt64(parser.getLongValue());
                    default -> writer.writeDecimal128(decimal128(parser.getBigIntegerValue()));
                }
            }
            case VALUE_NUMBER_FLOAT -> {
                double number = parser.getDoubleValue();
                if (Double.isInfinite(number)) {
                    throw new InvalidRecordException("not valid JSON: the number " + abbreviated(parser.getText())
                            + " is beyond the range of a double");
                }
                writer.writeDouble(number);
            }
            case VALUE_TRUE -> writer.writeBoolean(true);
            case VALUE_FALSE -> writer.writeBoolean(false);
            case VALUE_NULL -> writer.writeNull();
            default -> throw new InvalidRecordException("not valid JSON: unexpected " + token);
        }
    }

    private static Decimal128 decimal128(BigInteger integer) {
        if (integer.bitLength() > 1024) {
            throw new InvalidRecordException("not valid JSON: the number " + abbreviated(integer.toString())
                    + " is beyond the range of a double");
        }
        try {
            return new Decimal128(new BigDecimal(integer));
        } catch (NumberFormatException e) {
            throw new InvalidRecordException("the integer " + abbreviated(integer.toString()) + " has more digits "
                    + "than a Decimal128 holds (34)", e);
        }
    }

    private void checkText(String text) {
        if (checkSurrogates) {
            Utf8.requireEncodable(text);
        }
    }

    private static boolean mayHoldSurrogates(byte[] json) {
        for (int i = 0; i + 2 < json.length; i++) {
            if (json[i] == '\\' && json[i + 1] == 'u' && (json[i + 2] | 0x20) == 'd') {
                return true;
            }
        }
        return false;
    }

    private static String type(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT -> "integer";
            case VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    private static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
