package io.ksf.format;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.contract.FormatContract;
import io.ksf.format.json.JsonFormat;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RecordWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonFormatTest extends FormatContract {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @Override
    protected Format format() {
        return new JsonFormat();
    }

    @Override
    protected List<Object> samples() {
        Map<String, Object> post = new LinkedHashMap<>();
        post.put("index", 7);
        post.put("title", "Caf\u00e9 \"quotes\"\nnew line");
        post.put("geo", Map.of("lat", new BigDecimal("51.50"), "lon", new BigDecimal("-0.12")));
        post.put("tags", List.of("a", "b"));
        post.put("missing", null);
        return List.of(post, List.of(1, 2, 3), "text", 42, true);
    }

    @Override
    protected byte[] encodeValue(Object data) throws IOException {
        return MAPPER.writeValueAsBytes(data);
    }

    @Override
    protected List<Object> readBatch(byte[] encoded) throws IOException {
        List<Object> values = new ArrayList<>();
        String text = new String(encoded, StandardCharsets.UTF_8);
        if (!text.isEmpty()) {
            assertThat(text).endsWith("\n");
            for (String line : text.split("\n")) {
                values.add(MAPPER.readValue(line, Object.class));
            }
        }
        return values;
    }

    @Override
    protected List<byte[]> malformedValues() {
        return List.of("{\"a\":".getBytes(StandardCharsets.UTF_8), "not json".getBytes(StandardCharsets.UTF_8),
                "{} {}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneRecordEncodesAsItsDocumentWithoutTheLineBreakOrAsItsBytesWhenNotDecoded() {
        JsonFormat format = new JsonFormat();
        KsfRecord raw = KsfRecord.of("t", 0, 0, "{\n  \"a\": 1\n}");

        assertThat(new String(format.encode(raw.withData(Map.of("a", 1))), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":1}");
        assertThat(format.encode(raw)).isEqualTo(raw.value());
    }

    @Test
    void undecodedValuesPassThroughByteForByteAsJsonLines() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordWriter writer = format().writer(out)) {
            writer.write(KsfRecord.of("t", 0, 0, "{\"b\": 1,   \"a\":2}"));
            writer.write(KsfRecord.of("t", 0, 1, "{\"x\":1.50}").withData(Map.of("x", new BigDecimal("1.50"))));
            writer.write(KsfRecord.of("t", 0, 2, "[1,2]"));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"b\": 1,   \"a\":2}\n{\"x\":1.50}\n[1,2]\n");
    }

    @Test
    void aLoneSurrogateOrANumberBeyondADoubleIsAnInvalidRecord() {
        assertThatThrownBy(() -> decode("{\"name\": \"a\\ud800b\"}"))
                .isInstanceOf(io.ksf.spi.InvalidRecordException.class).hasMessageContaining("lone surrogate \\uD800");
        assertThatThrownBy(() -> decode("{\"name\": \"\\udc00\"}")).hasMessageContaining("lone surrogate \\uDC00");
        assertThatThrownBy(() -> decode("{\"id\": 1e400}")).hasMessageContaining("1E+400 is beyond the range");
        assertThatThrownBy(() -> decode("[" + "9".repeat(400) + "]")).hasMessageContaining("beyond the range");
        // a surrogate pair, an exponent within range, and a word with an 'e' after a digit are fine
        assertThat(decode("{\"smile\": \"\\ud83d\\ude00\", \"big\": 1e300, \"tag\": \"2e\"}"))
                .isEqualTo(Map.of("smile", "\ud83d\ude00", "big", new BigDecimal("1e300"), "tag", "2e"));
    }

    private static Object decode(String json) {
        return new JsonFormat().decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlySingleLineValuesMayPassThrough() {
        assertThat(format().copiesAsIs("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(format().copiesAsIs("{\n\"a\":1}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(format().copiesAsIs(new byte[0])).isTrue();
    }

    /** The check reads eight bytes at a time: a break at every place, and neighbours of 10 and 13 that are none. */
    @Test
    void aLineBreakIsFoundAtEveryPlaceAndNothingElseIsTakenForOne() {
        Format json = format();
        byte[] lookalikes = {0x00, 0x09, 0x0B, 0x0C, 0x0E, (byte) 0x8A, (byte) 0x8D, (byte) 0xFF, 0x01, 0x7F};
        for (int length = 1; length <= 40; length++) {
            for (int at = 0; at < length; at++) {
                for (byte lineBreak : new byte[] {'\n', '\r'}) {
                    byte[] value = new byte[length];
                    Arrays.fill(value, (byte) 'a');
                    value[at] = lineBreak;
                    assertThat(json.copiesAsIs(value)).as("%s at %d of %d", lineBreak, at, length).isFalse();
                }
                byte[] none = new byte[length];
                for (int i = 0; i < length; i++) {
                    none[i] = lookalikes[(i + at) % lookalikes.length];
                }
                assertThat(json.copiesAsIs(none)).as("lookalikes from %d, %d long", at, length).isTrue();
            }
        }
        java.util.Random random = new java.util.Random(7);
        for (int n = 0; n < 20_000; n++) {
            byte[] value = new byte[random.nextInt(70)];
            random.nextBytes(value);
            boolean hasBreak = false;
            for (byte b : value) {
                hasBreak |= b == '\n' || b == '\r';
            }
            assertThat(json.copiesAsIs(value)).isEqualTo(!hasBreak);
        }
    }

    @Test
    void aValueJsonCannotRepresentIsAnInvalidRecordAndLeavesNoHalfLine() throws IOException {
        Map<String, Object> broken = new LinkedHashMap<>();
        broken.put("id", 2);
        broken.put("handle", new Object());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordWriter writer = format().writer(out)) {
            writer.write(KsfRecord.of("t", 0, 0, "").withData(Map.of("id", 1)));
            assertThatThrownBy(() -> writer.write(KsfRecord.of("t", 0, 1, "").withData(broken)))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageStartingWith("cannot encode record t/0@1 as json: No serializer found for class "
                            + "java.lang.Object");
            writer.write(KsfRecord.of("t", 0, 2, "").withData(Map.of("id", 3)));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"id\":1}\n{\"id\":3}\n");
    }

    /** fieldTypes read off the bytes agrees with the types in the decoded document, and refuses what decode does. */
    @Test
    void fieldTypesReadOffTheBytesAgreeWithTheDecodedDocumentAndRefuseWhatDecodeRefuses() {
        JsonFormat json = new JsonFormat();
        Format decoding = new Format() { // the SPI's default: decode, then look the fields up
            public String name() {
                return "json";
            }

            public String extension() {
                return "json";
            }

            public Object decode(byte[] value) {
                return json.decode(value);
            }

            public RecordWriter writer(java.io.OutputStream out) {
                return json.writer(out);
            }
        };
        List<String> paths = List.of("", "id", "user.name", "user.geo.lat", "tags", "n", "a.b", "x.y");
        List<String> values = List.of("{\"id\": 7, \"user\": {\"name\": \"\u00e9l\u00e8ve\", \"geo\": {\"lat\": 1.50}}}",
                "{\"id\": 2.0, \"n\": 2.5, \"tags\": [1, {\"user\": 2}], \"user\": null}",
                "{\"id\": \"7\", \"n\": true, \"a.b\": 1, \"x\": [{\"y\": 1}]}",
                "{\"user\": {\"geo\": {\"lat\": 1}}, \"user\": 5, \"id\": 1, \"id\": null}",
                "{\"n\": -0.0, \"id\": 1e2, \"user\": {\"name\": {\"first\": \"a\"}, \"name\": \"b\"}}",
                "[1, 2, {\"id\": 3}]", "\"text\"", "42", "null", "{}",
                "{\"id\": 1", "{\"id\": 1} {\"id\": 2}", "{\"id\": 1}]", "", "   ", "{\"id\": tru}",
                "{\"s\": \"\\ud800\"}", "{\"big\": 1e999}", "{\"id\": 01}", "{'id': 1}", "{\"id\": NaN}",
                "{\"s\": \"bad \\x escape\", \"id\": 1}", "{\"s\": \"a\ttab\", \"id\": 1}",
                "{\"s\": \"\\u00zz\", \"id\": 1}", "{\"s\": \"open, \"id\": 1}");
        for (String text : values) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            String expected = outcome(() -> decoding.fieldTypes(bytes, paths));
            assertThat(outcome(() -> json.fieldTypes(bytes, paths))).as(text).isEqualTo(expected);
        }
        // a surrogate encoded as UTF-8 bytes (ED A0 80), in a value that also holds "3e" (once, the decode's cue)
        byte[] cesu = {'{', '"', 's', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
        assertThat(outcome(() -> json.fieldTypes(cesu, paths))).isEqualTo(outcome(() -> decoding.fieldTypes(cesu,
                paths)));
        byte[] exponentInText = "{\"id\": 1, \"t\": \"abc3e9\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(outcome(() -> json.fieldTypes(exponentInText, paths))).isEqualTo("{=object, id=integer}");
        // a string the paths do not ask for still has to be valid UTF-8
        byte[] badUtf8 = {'{', '"', 'x', '"', ':', '"', (byte) 0xC3, '(', '"', '}'};
        assertThat(outcome(() -> json.fieldTypes(badUtf8, paths))).startsWith("refused");
        assertThat(outcome(() -> decoding.fieldTypes(badUtf8, paths))).startsWith("refused");
    }

    private static String outcome(java.util.function.Supplier<Map<String, String>> read) {
        try {
            return new java.util.TreeMap<>(read.get()).toString();
        } catch (InvalidRecordException e) {
            return "refused";
        }
    }
}
