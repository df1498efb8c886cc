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
    })
    void refusesWhatTheServerWouldRefuse(String json, String message) {
        assertThatThrownBy(() -> JsonToBson.convert(json.getBytes(StandardCharsets.UTF_8), true))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining(message);
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
