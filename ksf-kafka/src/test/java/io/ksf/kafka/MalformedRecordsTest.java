package io.ksf.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.contract.Folders;
import io.ksf.file.FileTarget;
import io.ksf.format.csv.CsvFormat;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.processor.ValidateProcessor;
import io.ksf.spi.Format;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed records of many kinds mixed into a good stream on a real broker: every bad one reaches the dead letters
 * with its origin and an error, every good one reaches the target once, and the pipeline never stops. The figures
 * go to stdout as {@code malformed-records: ...} lines, rows of RELIABILITY.md.
 */
@ExtendWith(KafkaBroker.class)
class MalformedRecordsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int GOOD = 2_000;

    @TempDir
    Path dir;

    /** Kinds of bad JSON values, by name; each breaks the decoder, the validation or the schema. */
    private static Map<String, byte[]> badJson() {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("truncated object", utf8("{\"id\": 1, \"name\": \"a\""));
        bad.put("truncated in a string", utf8("{\"id\": 1, \"name\": \"ab"));
        bad.put("truncated nested", utf8("{\"id\": 1, \"name\": \"a\", \"extra\": {\"x\": [1, 2"));
        bad.put("only an opening brace", utf8("{"));
        bad.put("only a closing brace", utf8("}"));
        bad.put("trailing garbage", utf8("{\"id\": 1, \"name\": \"a\"} xyz"));
        bad.put("two documents", utf8("{\"id\": 1, \"name\": \"a\"}{\"id\": 2, \"name\": \"b\"}"));
        bad.put("two documents on two lines", utf8("{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}"));
        bad.put("empty value", new byte[0]);
        bad.put("whitespace only", utf8("   \n\t "));
        bad.put("null value (tombstone)", null);
        bad.put("JSON null", utf8("null"));
        bad.put("an array", utf8("[1, 2, 3]"));
        bad.put("a string", utf8("\"text\""));
        bad.put("a number", utf8("42"));
        bad.put("a boolean", utf8("true"));
        bad.put("empty object", utf8("{}"));
        bad.put("empty key only", utf8("{\"\": 1}"));
        bad.put("id missing", utf8("{\"name\": \"a\"}"));
        bad.put("name missing", utf8("{\"id\": 1}"));
        bad.put("id as a string", utf8("{\"id\": \"1\", \"name\": \"a\"}"));
        bad.put("id as a decimal", utf8("{\"id\": 1.5, \"name\": \"a\"}"));
        bad.put("id as a boolean", utf8("{\"id\": true, \"name\": \"a\"}"));
        bad.put("id as null", utf8("{\"id\": null, \"name\": \"a\"}"));
        bad.put("id as an object", utf8("{\"id\": {\"v\": 1}, \"name\": \"a\"}"));
        bad.put("id as an array", utf8("{\"id\": [1], \"name\": \"a\"}"));
        bad.put("name as a number", utf8("{\"id\": 1, \"name\": 7}"));
        bad.put("name as null", utf8("{\"id\": 1, \"name\": null}"));
        bad.put("name as an object", utf8("{\"id\": 1, \"name\": {\"first\": \"a\"}}"));
        bad.put("negative id (schema minimum)", utf8("{\"id\": -1, \"name\": \"a\"}"));
        bad.put("id above 2^53 (schema maximum)", utf8("{\"id\": 9007199254740993, \"name\": \"a\"}"));
        bad.put("id with 40 digits", utf8("{\"id\": 1234567890123456789012345678901234567890, \"name\": \"a\"}"));
        bad.put("number of 2,000 digits", utf8("{\"id\": " + "9".repeat(2_000) + ", \"name\": \"a\"}"));
        bad.put("exponent out of range", utf8("{\"id\": 1e400, \"name\": \"a\"}"));
        bad.put("NaN", utf8("{\"id\": NaN, \"name\": \"a\"}"));
        bad.put("leading zero", utf8("{\"id\": 01, \"name\": \"a\"}"));
        bad.put("huge value (600 KB name, schema maxLength)", utf8("{\"id\": 1, \"name\": \"" + "x".repeat(600_000) + "\"}"));
        bad.put("key of 60,000 characters", utf8("{\"" + "k".repeat(60_000) + "\": 1, \"id\": 1, \"name\": \"a\"}"));
        bad.put("nesting past the parser's limit", utf8("{\"id\": 1, \"name\": \"a\", \"deep\": " + "[".repeat(2_000)
                + "]".repeat(2_000) + "}"));
        bad.put("invalid UTF-8 byte", concat(utf8("{\"id\": 1, \"name\": \""), new byte[]{(byte) 0xff, (byte) 0xfe},
                utf8("\"}")));
        bad.put("truncated UTF-8 sequence", concat(utf8("{\"id\": 1, \"name\": \""), new byte[]{(byte) 0xe2, (byte) 0x82},
                utf8("\"}")));
        bad.put("UTF-8 encoded surrogate", concat(utf8("{\"id\": 1, \"name\": \""),
                new byte[]{(byte) 0xed, (byte) 0xa0, (byte) 0x80}, utf8("\"}")));
        bad.put("lone surrogate escape", utf8("{\"id\": 1, \"name\": \"\\ud800\"}"));
        bad.put("unescaped control character", utf8("{\"id\": 1, \"name\": \"a\u0001b\"}"));
        bad.put("NUL byte after the document", concat(utf8("{\"id\": 1, \"name\": \"a\"}"), new byte[]{0}));
        bad.put("invalid escape", utf8("{\"id\": 1, \"name\": \"\\x\"}"));
        bad.put("incomplete unicode escape", utf8("{\"id\": 1, \"name\": \"\\u12\"}"));
        bad.put("single quotes", utf8("{'id': 1, 'name': 'a'}"));
        bad.put("unquoted keys", utf8("{id: 1, name: \"a\"}"));
        bad.put("comment", utf8("{\"id\": 1 /* c */, \"name\": \"a\"}"));
        bad.put("trailing comma", utf8("{\"id\": 1, \"name\": \"a\",}"));
        bad.put("XML", utf8("<pin><id>1</id></pin>"));
        bad.put("CSV text", utf8("1,a"));
        bad.put("gzip bytes", gzip("{\"id\": 1, \"name\": \"a\"}"));
        bad.put("random binary", new byte[]{0x00, 0x13, (byte) 0x9c, 0x7f, (byte) 0x80, 0x01, (byte) 0xc0});
        return bad;
    }

    /** Kinds of bad CSV rows for columns id, name. */
    private static Map<String, byte[]> badCsv() {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("CSV: one field too many (ragged)", utf8("1,a,extra"));
        bad.put("CSV: one field too few (ragged)", utf8("1"));
        bad.put("CSV: unclosed quote", utf8("1,\"abc"));
        bad.put("CSV: text after a closing quote", utf8("1,\"a\"x"));
        bad.put("CSV: two rows in one value", utf8("1,a\r\n2,b"));
        bad.put("CSV: empty value", new byte[0]);
        bad.put("CSV: invalid UTF-8", concat(utf8("1,"), new byte[]{(byte) 0xc3, (byte) 0x28}));
        bad.put("CSV: null value", null);
        bad.put("CSV: id not an integer", utf8("one,a"));
        return bad;
    }

    @Test
    void everyBadJsonRecordIsDeadLetteredWithItsOriginAndEveryGoodOneStoredOnce(EmbeddedKafka kafka) throws Exception {
        List<String> good = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            good.add("{\"id\":" + i + ",\"name\":\"pin " + i + " \\\"quoted\\\" \\u00e9\"}");
        }
        check(kafka, "malformed-json", new JsonFormat(), good, badJson(), null);
    }

    @Test
    void everyBadCsvRowIsDeadLetteredWithItsOriginAndEveryGoodOneStoredOnce(EmbeddedKafka kafka) throws Exception {
        List<String> good = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            // embedded quotes and newlines are valid CSV, and stay one record
            good.add(i % 3 == 0 ? i + ",\"pin \"\"" + i + "\"\"\r\nsecond line\"" : i + ",pin " + i);
        }
        check(kafka, "malformed-csv", new CsvFormat(List.of("id", "name"), false, ','), good, badCsv(),
                "{\"properties\": {\"id\": {\"type\": \"string\", \"pattern\": \"^[0-9]+$\"}}}");
    }

    private void check(EmbeddedKafka kafka, String topic, Format format, List<String> good, Map<String, byte[]> bad,
                       String schemaOverride) throws Exception {
        kafka.createTopic(topic, 3);
        // bad records among the good ones, with null keys on some of both
        Map<String, RecordMetadata> badAt = new TreeMap<>();
        List<String> names = new ArrayList<>(bad.keySet());
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            List<Future<RecordMetadata>> badSends = new ArrayList<>();
            int step = good.size() / (names.size() + 1);
            for (int i = 0, next = 0; i < good.size(); i++) {
                byte[] key = i % 2 == 0 ? null : utf8("k" + i);
                producer.send(new ProducerRecord<>(topic, i % 3, key, utf8(good.get(i))));
                if (next < names.size() && i % step == step - 1) {
                    badSends.add(producer.send(new ProducerRecord<>(topic, next % 3, next % 2 == 0 ? null
                            : utf8("bad"), bad.get(names.get(next)))));
                    next++;
                }
            }
            producer.flush();
            for (int i = 0; i < badSends.size(); i++) {
                badAt.put(names.get(i), badSends.get(i).get());
            }
        }
        assertThat(badAt).hasSize(names.size());
        Path schema = Files.writeString(dir.resolve("schema.json"), schemaOverride != null ? schemaOverride : """
                {"type": "object", "required": ["id", "name"],
                 "properties": {"id": {"type": "integer", "minimum": 0, "maximum": 9007199254740991},
                                "name": {"type": "string", "maxLength": 1000}}}""");
        Map<String, String> types = format instanceof JsonFormat ? Map.of("id", "integer", "name", "string")
                : Map.of("id", "string", "name", "string");
        Path out = dir.resolve("out");
        Path dead = dir.resolve("dead");
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", topic);
        props.put("max.partition.fetch.bytes", Integer.toString(2 << 20));
        Pipeline pipeline = Pipeline.builder().source(new KafkaSource(props, List.of(topic), null), format)
                .processor(new ValidateProcessor(List.of("id", "name"), types, schema))
                .target(new FileTarget(out, "", new JsonFormat()))
                .deadLetter(new FileTarget(dead, "", new JsonFormat()))
                .flushEvery(500, 8 << 20, Duration.ofSeconds(1)).pollTimeout(Duration.ofMillis(200)).build();

        int total = good.size() + names.size();
        try (RunningPipeline running = RunningPipeline.start(pipeline)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == total, Duration.ofSeconds(60)).stop();
        }

        // every bad record, found by its origin, with an error message
        Map<String, JsonNode> deadByOrigin = new TreeMap<>();
        List<String> deadTwice = new ArrayList<>();
        List<String> letters = Folders.lines(dead);
        for (String line : letters) {
            JsonNode letter = MAPPER.readTree(line);
            String origin = letter.at("/origin/partition").asInt() + "@" + letter.at("/origin/offset").asLong();
            if (deadByOrigin.put(origin, letter) != null) {
                deadTwice.add(origin);
            }
        }
        List<String> missing = new ArrayList<>();
        badAt.forEach((name, where) -> {
            JsonNode letter = deadByOrigin.get(where.partition() + "@" + where.offset());
            if (letter == null || !letter.at("/origin/topic").asText().equals(topic)
                    || letter.at("/error/message").asText().isBlank()) {
                missing.add(name);
            }
        });
        List<String> stored = Folders.lines(out);
        List<String> expectedGood = good.stream().map(value -> MAPPER.valueToTree(format.decode(utf8(value))).toString())
                .sorted().toList();
        System.out.printf("malformed-records: %s, bad kinds %d, dead-lettered %d, good %d, stored %d, lost %d, "
                        + "duplicated %d%n", topic, names.size(), letters.size(), good.size(), stored.size(),
                missing.size() + Math.max(0, good.size() - stored.size()), Math.max(0, stored.size() - good.size()));
        assertThat(missing).as("bad kinds not in the dead letters with origin and error").isEmpty();
        assertThat(deadTwice).as("records dead-lettered more than once").isEmpty();
        assertThat(letters).hasSize(names.size());
        assertThat(stored.stream().map(MalformedRecordsTest::canonical).sorted().toList()).isEqualTo(expectedGood);
        assertThat(kafka.committed(topic, topic)).isEqualTo(kafka.endOffsets(topic));
    }

    private static String canonical(String json) {
        try {
            return MAPPER.readTree(json).toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(utf8(text));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
