package io.ksf.parquet;

import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RecordWriter;
import io.ksf.testkit.DuckDb;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the parquet format writes, read back by DuckDB's own Parquet reader. */
class ParquetFormatTest {
    private static final Map<String, Object> SCHEMA = Map.of("type", "object",
            "required", List.of("id", "at"),
            "properties", orderedProperties());

    @TempDir
    Path dir;

    private static Map<String, Object> orderedProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("id", Map.of("type", "integer"));
        properties.put("at", Map.of("type", "string", "format", "date-time"));
        properties.put("day", Map.of("type", "string", "format", "date"));
        properties.put("name", Map.of("type", List.of("string", "null")));
        properties.put("score", Map.of("type", "number"));
        properties.put("ok", Map.of("type", "boolean"));
        properties.put("user", Map.of("type", "object", "properties", Map.of("country", Map.of("type", "string"))));
        properties.put("tags", Map.of("type", "array", "items", Map.of("type", "string")));
        return properties;
    }

    private static KsfRecord record(long offset, Map<String, Object> data) {
        return KsfRecord.of("posts", 0, offset, 0L, null, new byte[0], List.of()).withData(data);
    }

    private static Map<String, Object> post(long id) {
        Map<String, Object> post = new LinkedHashMap<>();
        post.put("id", id);
        post.put("at", "2026-12-04T10:00:0" + id % 10 + "Z");
        post.put("day", "2026-12-04");
        post.put("name", id % 2 == 0 ? null : "post " + id);
        post.put("score", id / 2.0);
        post.put("ok", id % 3 == 0);
        post.put("user", Map.of("country", "se"));
        List<Object> tags = new ArrayList<>();
        tags.add("a" + id);
        tags.add(null);
        post.put("tags", tags);
        post.put("not a column", "dropped");
        return post;
    }

    private Path write(CompressionCodecName codec, List<KsfRecord> records) throws Exception {
        ParquetFormat format = new ParquetFormat(JsonSchemas.toParquet(SCHEMA, "schema"), codec, 1 << 20, 64 << 10);
        Path file = dir.resolve(codec.name().toLowerCase() + ".parquet");
        try (OutputStream out = Files.newOutputStream(file); RecordWriter writer = format.writer(out)) {
            for (KsfRecord record : records) {
                writer.write(record);
            }
        }
        return file;
    }

    @Test
    void everyCodecWritesFilesThatDuckDbReadsWithTheSchemasTypes() throws Exception {
        List<KsfRecord> records = new ArrayList<>();
        for (long id = 0; id < 100; id++) {
            records.add(record(id, post(id)));
        }
        for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY, CompressionCodecName.ZSTD,
                CompressionCodecName.GZIP, CompressionCodecName.UNCOMPRESSED)) {
            Path file = write(codec, records);

            assertThat(DuckDb.query("DESCRIBE SELECT * FROM read_parquet('" + file + "')").stream()
                    .map(row -> row.split("\\|")[0] + "|" + row.split("\\|")[1]).toList()).containsExactly("id|BIGINT", "at|TIMESTAMP WITH TIME ZONE", "day|DATE", "name|VARCHAR",
                    "score|DOUBLE", "ok|BOOLEAN", "user|STRUCT(country VARCHAR)", "tags|VARCHAR[]");
            assertThat(DuckDb.query("SELECT count(*), count(DISTINCT id), count(name), sum(score) FROM read_parquet('"
                    + file + "')")).containsExactly("100|100|50|2475.0");
            assertThat(DuckDb.query("SELECT id, epoch_ms(\"at\"), day, name, ok, \"user\".country, tags FROM read_parquet('" + file
                    + "') WHERE id = 3")).containsExactly("3|1796378403000|2026-12-04|post 3|true|se|[a3, null]");
            assertThat(DuckDb.query("SELECT DISTINCT compression FROM parquet_metadata('" + file + "')"))
                    .containsExactly(codec.name());
        }
    }

    @Test
    void aRecordThatDoesNotFitIsRefusedNamingTheFieldAndTheFileStaysValid() throws Exception {
        ParquetFormat format = new ParquetFormat(JsonSchemas.toParquet(SCHEMA, "schema"),
                CompressionCodecName.SNAPPY, 1 << 20, 64 << 10);
        Path file = dir.resolve("mixed.parquet");
        Map<String, Object> missing = post(1);
        missing.remove("at");
        Map<String, Object> text = post(2);
        text.put("id", "two");
        Map<String, Object> nested = post(3);
        nested.put("score", Map.of("x", 1));
        Map<String, Object> tooLarge = post(4);
        tooLarge.put("id", new java.math.BigInteger("99999999999999999999"));
        Map<String, Object> badTime = post(5);
        badTime.put("at", "yesterday");
        try (OutputStream out = Files.newOutputStream(file); RecordWriter writer = format.writer(out)) {
            writer.write(record(0, post(0)));
            assertThatThrownBy(() -> writer.write(record(1, missing))).isInstanceOf(InvalidRecordException.class)
                    .hasMessage("field 'at': missing, but its column is required");
            assertThatThrownBy(() -> writer.write(record(2, text))).isInstanceOf(InvalidRecordException.class)
                    .hasMessage("field 'id': expected an integer, found a string (\"two\")");
            assertThatThrownBy(() -> writer.write(record(3, nested))).isInstanceOf(InvalidRecordException.class)
                    .hasMessageStartingWith("field 'score': expected a number, found an object");
            assertThatThrownBy(() -> writer.write(record(4, tooLarge))).isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("field 'id': the integer 99999999999999999999 is beyond the column's range");
            assertThatThrownBy(() -> writer.write(record(5, badTime))).isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("field 'at': expected a date-time");
            writer.write(record(6, post(6)));
        }

        assertThat(DuckDb.query("SELECT id FROM read_parquet('" + file + "') ORDER BY id")).containsExactly("0", "6");
    }
}
