package io.ksf.parquet;

import io.ksf.format.json.JsonFormat;
import io.ksf.spi.ConfigException;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Options;
import io.ksf.spi.RecordWriter;
import io.ksf.testkit.DuckDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Columns from an Avro schema and columns inferred from the records, read back by DuckDB. */
class ParquetSchemasTest {
    private static final String AVRO = """
            {"type": "record", "name": "Order", "fields": [
              {"name": "id", "type": "long"},
              {"name": "qty", "type": "int"},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 7, "scale": 2}},
              {"name": "total", "type": {"type": "bytes", "logicalType": "decimal", "precision": 16, "scale": 4}},
              {"name": "big", "type": ["null", {"type": "fixed", "name": "Big", "size": 16,
                                                "logicalType": "decimal", "precision": 38, "scale": 9}]},
              {"name": "weight", "type": "float"},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "day", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null},
              {"name": "state", "type": {"type": "enum", "name": "State", "symbols": ["NEW", "PAID"]}},
              {"name": "buyer", "type": {"type": "record", "name": "Buyer", "fields": [
                {"name": "country", "type": "string"}, {"name": "vip", "type": ["null", "boolean"]}]}},
              {"name": "lines", "type": {"type": "array", "items": "string"}}
            ]}""";

    @TempDir
    Path dir;

    private static KsfRecord json(long offset, String text) {
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        return KsfRecord.of("orders", 0, offset, 0L, null, value, List.of()).withData(new JsonFormat().decode(value));
    }

    private ParquetFormat format(Map<String, Object> options) {
        ParquetFormatFactory factory = new ParquetFormatFactory();
        return (ParquetFormat) factory.create(Options.of("target.format", factory.options(), options));
    }

    /** Writes one object; records refused are returned with their messages. */
    private static List<String> write(ParquetFormat format, Path file, List<KsfRecord> records) throws Exception {
        List<String> refused = new java.util.ArrayList<>();
        try (OutputStream out = Files.newOutputStream(file); RecordWriter writer = format.writer(out)) {
            for (KsfRecord record : records) {
                try {
                    writer.write(record);
                } catch (InvalidRecordException e) {
                    refused.add(record.offset() + ": " + e.getMessage());
                }
            }
        }
        return refused;
    }

    private static List<String> describe(Path file) throws Exception {
        return DuckDb.query("DESCRIBE SELECT * FROM read_parquet('" + file + "')").stream()
                .map(row -> row.split("\\|")[0] + " " + row.split("\\|")[1]).toList();
    }

    @Test
    void anAvroSchemaGivesDecimalsIntsFloatsTimestampsAndNestedColumnsExactly() throws Exception {
        Path schema = Files.writeString(dir.resolve("order.avsc"), AVRO);
        ParquetFormat format = format(Map.of("schema", schema.toString()));
        Path file = dir.resolve("orders.parquet");
        String good = "{\"id\": %d, \"qty\": 3, \"price\": %s, \"total\": \"123456789012.3456\", \"big\": %s,"
                + " \"weight\": 1.5, \"at\": 1796378400123, \"day\": \"2026-12-04\", \"state\": \"PAID\","
                + " \"buyer\": {\"country\": \"se\"}, \"lines\": [\"a\", null]}";
        List<String> refused = write(format, file, List.of(
                json(0, good.formatted(1, "19.99", "\"-12345678901234567890123456789.123456789\"")),
                json(1, good.formatted(2, "0.1", "null")),
                json(2, good.formatted(3, "19.999", "null")),
                json(3, good.formatted(4, "123456.78", "null")),
                json(4, good.formatted(5, "1", "null").replace("\"qty\": 3", "\"qty\": 4000000000")),
                json(5, good.formatted(6, "1", "null").replace("\"qty\": 3", "\"qty\": {\"n\": 3}")),
                json(6, good.formatted(7, "1", "null").replace("\"id\": 7, ", "")),
                json(7, good.formatted(8, "1", "null").replace("\"se\"", "7"))));

        assertThat(refused).containsExactly(
                "2: field 'price': the number 19.999 has more decimal places than the column's scale 2",
                "3: field 'price': the number 123456.78 is beyond the column's range: decimal(7, 2)",
                "4: field 'qty': the integer 4000000000 is beyond the column's range (32 bits)",
                "5: field 'qty': expected an integer, found an object ({n=3})",
                "6: field 'id': missing, but its column is required",
                "7: field 'buyer.country': expected a string, found a number (7)");
        assertThat(describe(file)).containsExactly("id BIGINT", "qty INTEGER", "price DECIMAL(7,2)",
                "total DECIMAL(16,4)", "big DECIMAL(38,9)", "weight FLOAT", "at TIMESTAMP WITH TIME ZONE", "day DATE",
                "state VARCHAR", "buyer STRUCT(country VARCHAR, vip BOOLEAN)", "lines VARCHAR[]");
        assertThat(DuckDb.query("SELECT id, price::VARCHAR, total::VARCHAR, big::VARCHAR, weight, epoch_ms(\"at\"), "
                + "day, state, buyer.country, buyer.vip, lines FROM read_parquet('" + file + "') ORDER BY id"))
                .containsExactly(
                        "1|19.99|123456789012.3456|-12345678901234567890123456789.123456789|1.5|1796378400123"
                                + "|2026-12-04|PAID|se|null|[a, null]",
                        "2|0.10|123456789012.3456|null|1.5|1796378400123|2026-12-04|PAID|se|null|[a, null]");
    }

    @Test
    void anAvroSchemaWithATypeJsonCannotCarryIsAConfigErrorNamingTheField() throws Exception {
        Path schema = Files.writeString(dir.resolve("map.avsc"), """
                {"type": "record", "name": "R", "fields": [{"name": "attrs", "type": {"type": "map", "values": "long"}}]}""");
        assertThatThrownBy(() -> format(Map.of("schema", schema.toString()))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("target.format.schema (" + schema + ").fields.attrs: expected boolean, int");
        Path broken = Files.writeString(dir.resolve("broken.avsc"), "{\"type\": \"record\"");
        assertThatThrownBy(() -> format(Map.of("schema", broken.toString()))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected an Avro schema, found one that does not parse");
    }

    @Test
    void withoutASchemaTheFirstObjectFixesColumnsInferredFromItsRecords() throws Exception {
        ParquetFormat format = format(Map.of());
        Path first = dir.resolve("first.parquet");
        List<String> refused = write(format, first, List.of(
                json(0, "{\"id\": 1, \"score\": 2, \"user\": {\"name\": \"a\"}, \"tags\": [\"x\"], \"none\": null}"),
                json(1, "{\"id\": 2, \"score\": 2.5, \"user\": {\"name\": \"b\", \"age\": 30}, \"tags\": []}"),
                json(2, "{\"id\": \"three\", \"score\": 1}"),
                json(3, "{\"id\": 4, \"ok\": true, \"tags\": null}")));

        assertThat(refused).containsExactly("2: field 'id': expected an integer as in the records before, found a "
                + "string (\"three\")");
        assertThat(describe(first)).containsExactly("id BIGINT", "score DOUBLE",
                "user STRUCT(\"name\" VARCHAR, age BIGINT)", "tags VARCHAR[]", "ok BOOLEAN");
        assertThat(DuckDb.query("SELECT id, score, \"user\".name, \"user\".age, tags, ok FROM read_parquet('" + first
                + "') ORDER BY id")).containsExactly("1|2.0|a|null|[x]|null", "2|2.5|b|30|[]|null",
                "4|null|null|null|null|true");

        Path second = dir.resolve("second.parquet");
        refused = write(format, second, List.of(json(4, "{\"id\": 5, \"score\": 7}"),
                json(5, "{\"id\": 6, \"extra\": \"x\"}"), json(6, "{\"id\": 7.5}"), json(7, "{\"none\": 1}")));
        assertThat(refused).containsExactly(
                "5: field 'extra': not among the columns the first object fixed (schema.change dead-letter), found "
                        + "a string (\"x\")",
                "6: field 'id': a fraction in a column of integers (schema.change dead-letter), found a number (7.5)",
                "7: field 'none': not among the columns the first object fixed (schema.change dead-letter), found "
                        + "a number (1)");
        assertThat(describe(second)).isEqualTo(describe(first));
        assertThat(DuckDb.query("SELECT id, score FROM read_parquet('" + second + "')")).containsExactly("5|7.0");
    }

    @Test
    void withSchemaChangeNewSchemaALaterObjectGainsTheNewColumns() throws Exception {
        ParquetFormat format = format(Map.of("schema.change", "new-schema"));
        Path first = dir.resolve("first.parquet");
        assertThat(write(format, first, List.of(json(0, "{\"id\": 1, \"name\": \"a\"}")))).isEmpty();
        Path second = dir.resolve("second.parquet");
        List<String> refused = write(format, second, List.of(json(1, "{\"id\": 2.5, \"name\": \"b\", \"extra\": true}"),
                json(2, "{\"id\": 3, \"name\": 3}")));

        assertThat(refused).containsExactly("2: field 'name': expected a string as in the records before, found a "
                + "number (3)");
        assertThat(describe(first)).containsExactly("id BIGINT", "name VARCHAR");
        assertThat(describe(second)).containsExactly("id DOUBLE", "name VARCHAR", "extra BOOLEAN");
        assertThat(DuckDb.query("SELECT id, name, extra FROM read_parquet(['" + first + "', '" + second
                + "'], union_by_name = true) ORDER BY id")).containsExactly("1.0|a|null", "2.5|b|true");
    }
}
