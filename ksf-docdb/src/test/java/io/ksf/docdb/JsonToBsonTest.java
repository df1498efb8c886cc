package io.ksf.docdb;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.ksf.format.json.JsonFormat;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.support.Retry;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DocumentCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one-pass JSON to BSON reading stores byte for byte what decoding to maps and then to a Document stores. */
class JsonToBsonTest {
    // the driver connects on first use only: this collection is never used
    private static final MongoClient UNUSED = MongoClients.create("mongodb://127.0.0.1:9");
    private static final DocDbTarget DECODED_PATH = new DocDbTarget(UNUSED,
            UNUSED.getDatabase("d").getCollection("c"), null, 500, new Retry(Duration.ofSeconds(1), Duration.ofMillis(10)));

    private static byte[] bytes(RawBsonDocument document) {
        ByteBuffer buffer = document.getByteBuffer().asNIO();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** The decoded path's document, without the _id it adds (the filter of the upsert gives it). */
    private static byte[] viaMaps(String json) {
        KsfRecord record = KsfRecord.of("t", 0, 0, json);
        RawBsonDocument document = new RawBsonDocument(DECODED_PATH.document(
                record.withData(new JsonFormat().decode(record.value()))), new DocumentCodec());
        BsonDocument withoutId = new BsonDocument();
        document.forEach((name, value) -> {
            if (!name.equals("_id")) {
                withoutId.put(name, value);
            }
        });
        return bytes(new RawBsonDocument(withoutId, new BsonDocumentCodec()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}",
        "{\"a\":1,\"b\":-2147483649,\"c\":12345678901234567890123,\"d\":1.5,\"e\":1e10,\"f\":-0.5,\"g\":0.1}",
        "{\"h\":1E-7,\"i\":true,\"j\":false,\"k\":null,\"l\":\"\\u00e9\\ud83d\\ude00 é😀\",\"m\":[],\"n\":{}}",
        "{\"o\":{\"p\":[1,\"two\",{\"q\":[null,[3.25]]}],\"r\":{\"s\":{\"t\":\"deep\"}}},\"u\":9223372036854775807}",
        "{\"_id\":\"theirs\",\"v\":[{\"$inside\":\"an array\"}],\"w\":\"tab\\tquote\\\"slash\\\\\"}",
        "  {\"x\" : 1 ,\n \"y\" : [ 1 , 2 ] }  ",
        "{\"é\":\"\\u0000 inside\",\"😀\":[0,1,2,3,4,5,6,7,8,9,10,11],\"ü\":{\"ß\":\"€\"},\"big\":-1e-300}",
    })
    void storesWhatTheDecodedPathStores(String json) {
        RawBsonDocument converted = JsonToBson.convert(json.getBytes(StandardCharsets.UTF_8), true);
        assertThat(bytes(converted)).isEqualTo(viaMaps(json));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[1,2]|a document must be a JSON object, found array",
        "\"text\"|a document must be a JSON object, found string",
        "{\"$set\":1}|invalid field name '$set'",
        "{\"a\":{\"b\\u0000\":1}}|invalid field name 'a.b",
        "{\"a\":\"\\ud800\"}|lone surrogate \\uD800",
        "{\"a\":1e400}|beyond the range of a double",
        "{\"a\":1} {}|not valid JSON",
        "{\"a\":|not valid JSON",
        "{\"a\":1,\"a\":2}|not valid JSON: Duplicate field 'a'",
        "{\"a\":1234567890123456789012345678901234567890}|more digits than a Decimal128 holds",
        "{\"a\":[{\"b\\u0000\":1}]}|invalid field name 'a.b",
    })
    void refusesWhatTheServerWouldRefuse(String json, String message) {
        assertThatThrownBy(() -> JsonToBson.convert(json.getBytes(StandardCharsets.UTF_8), true))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining(message);
    }

    @org.junit.jupiter.api.Test
    void theDecodedPathRefusesANameHoldingNulInsideAnArrayAsARecordNotAFlush() {
        KsfRecord record = KsfRecord.of("t", 0, 0, "{\"a\":[{\"b\\u0000\":1}]}");
        KsfRecord decoded = record.withData(new JsonFormat().decode(record.value()));
        assertThatThrownBy(() -> DECODED_PATH.replacement(decoded)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("null character");
    }

    @org.junit.jupiter.api.Test
    void randomDocumentsAreStoredAsTheDecodedPathStoresThem() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2_000; i++) {
            String json = randomObject(random, 0);
            RawBsonDocument converted = JsonToBson.convert(json.getBytes(StandardCharsets.UTF_8), true);
            assertThat(bytes(converted)).as(json).isEqualTo(viaMaps(json));
        }
    }

    private static String randomObject(java.util.Random random, int depth) {
        StringBuilder json = new StringBuilder("{");
        int fields = random.nextInt(depth == 0 ? 12 : 4);
        for (int f = 0; f < fields; f++) {
            json.append(f == 0 ? "" : ",").append('"').append(f).append('_').append(randomText(random, 6, false))
                    .append("\":")
                    .append(randomValue(random, depth));
        }
        return json.append('}').toString();
    }

    private static String randomValue(java.util.Random random, int depth) {
        return switch (random.nextInt(depth < 3 ? 9 : 7)) {
            case 0 -> "\"" + randomText(random, 300, true) + "\"";
            case 1 -> Integer.toString(random.nextInt());
            case 2 -> Long.toString(random.nextLong());
            case 3 -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
            case 4 -> random.nextBoolean() ? "true" : "false";
            case 5 -> "null";
            case 6 -> new java.math.BigInteger(100, random).toString();
            case 7 -> randomObject(random, depth + 1);
            default -> {
                StringBuilder array = new StringBuilder("[");
                int items = random.nextInt(14);
                for (int i = 0; i < items; i++) {
                    array.append(i == 0 ? "" : ",").append(randomValue(random, depth + 1));
                }
                yield array.append(']').toString();
            }
        };
    }

    /** Text of ASCII, accented letters, CJK, emoji (surrogate pairs), JSON escapes and, if asked, NUL escapes. */
    private static String randomText(java.util.Random random, int maxLength, boolean withNul) {
        String[] pieces = {"a", "Z", "7", " ", "é", "ß", "€", "中", "😀", "\\n", "\\\"", "\\\\", "\\u00e9",
            "\\u0000", "\\ud83d\\ude00"};
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength);
        for (int i = 0; i < length; i++) {
            String piece = random.nextInt(3) == 0 ? pieces[random.nextInt(pieces.length)] : "x";
            text.append(withNul || !piece.equals("\\u0000") ? piece : "y");
        }
        return text.toString();
    }

    @org.junit.jupiter.api.Test
    void negativeZeroKeepsItsSign() {
        // the map path read decimals as BigDecimal, which has no negative zero, and stored 0.0
        RawBsonDocument converted = JsonToBson.convert("{\"z\":-0.0}".getBytes(StandardCharsets.UTF_8), true);
        assertThat(Double.doubleToRawLongBits(converted.getDouble("z").getValue()))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aTopLevelIdIsLeftOutOnlyWhenAsked(boolean skipId) {
        RawBsonDocument converted = JsonToBson.convert("{\"_id\":5,\"a\":{\"_id\":6}}".getBytes(StandardCharsets.UTF_8),
                skipId);
        assertThat(converted.toJson()).isEqualTo(skipId ? "{\"a\": {\"_id\": 6}}" : "{\"_id\": 5, \"a\": {\"_id\": 6}}");
    }
}
