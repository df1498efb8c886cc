package io.ksf.format;

import io.ksf.contract.FormatContract;
import io.ksf.format.csv.CsvFormat;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RecordWriter;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvFormatTest extends FormatContract {
    private static final List<String> COLUMNS = List.of("id", "name", "note");

    @Override
    protected Format format() {
        return new CsvFormat(COLUMNS, true, ',');
    }

    private static Map<String, Object> row(String id, String name, String note) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("note", note);
        return row;
    }

    @Override
    protected List<Object> samples() {
        return List.of(row("1", "Ada", "plain"), row("2", "Grace, Hopper", "has \"quotes\""),
                row("3", "Line\r\nBreak", ""));
    }

    @Override
    protected byte[] encodeValue(Object data) throws IOException {
        StringWriter out = new StringWriter();
        CSVFormat.RFC4180.printRecord(out, ((Map<?, ?>) data).values().toArray());
        return out.toString().trim().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected List<Object> readBatch(byte[] encoded) throws IOException {
        List<Object> rows = new ArrayList<>();
        if (encoded.length == 0) {
            return rows;
        }
        try (CSVParser parser = CSVParser.parse(new StringReader(new String(encoded, StandardCharsets.UTF_8)),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertThat(parser.getHeaderNames()).isEqualTo(COLUMNS);
            for (CSVRecord record : parser) {
                rows.add(new LinkedHashMap<>(record.toMap()));
            }
        }
        return rows;
    }

    @Override
    protected List<byte[]> malformedValues() {
        return List.of("1,\"unterminated".getBytes(StandardCharsets.UTF_8),
                "1,a\r\n2,b".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anObjectIsRfc4180WithAHeaderFromTheFirstRecord() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("id", 1);
        first.put("amount", new BigDecimal("9.90"));
        first.put("tags", List.of("x", "y"));
        try (RecordWriter writer = new CsvFormat(List.of(), true, ',').writer(out)) {
            writer.write(KsfRecord.of("t", 0, 0, "").withData(first));
            writer.write(KsfRecord.of("t", 0, 1, "").withData(Map.of("id", 2, "other", "left out")));
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("id,amount,tags\r\n1,9.90,\"[\"\"x\"\",\"\"y\"\"]\"\r\n2,,\r\n");
    }

    @Test
    void aFieldCsvCannotRepresentIsAnInvalidRecordAndLeavesTheStreamAsItWas() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordWriter writer = new CsvFormat(List.of(), true, ',').writer(out)) {
            assertThatThrownBy(() -> writer.write(KsfRecord.of("t", 0, 0, "")
                    .withData(Map.of("id", 1, "nested", Map.of("handle", new Object())))))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageStartingWith("cannot encode record t/0@0 as csv: No serializer found");
            writer.write(KsfRecord.of("t", 0, 1, "").withData(Map.of("id", 2)));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("id\r\n2\r\n");
    }

    @Test
    void oneRecordEncodesAsItsRowAloneWithoutHeaderOrLineBreak() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 7);
        row.put("name", "bo, b");
        KsfRecord record = KsfRecord.of("t", 0, 0, null).withData(row);

        assertThat(new String(new CsvFormat(List.of(), true, ',').encode(record), StandardCharsets.UTF_8))
                .isEqualTo("7,\"bo, b\"");
    }

    @Test
    void withoutColumnsFieldsAreNamedLikeSparkDoes() {
        assertThat(new CsvFormat(List.of(), true, ',').decode("1,2,3".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Map.of("_c0", "1", "_c1", "2", "_c2", "3"));
    }

    @Test
    void aRaggedRowOrBytesThatAreNotUtf8AreInvalidRecords() {
        CsvFormat format = new CsvFormat(List.of("a", "b"), true, ',');
        assertThatThrownBy(() -> format.decode("1,2,3".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(io.ksf.spi.InvalidRecordException.class)
                .hasMessage("expected 2 CSV fields [a, b], found 3");
        assertThatThrownBy(() -> format.decode("1".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("expected 2 CSV fields [a, b], found 1");
        assertThatThrownBy(() -> format.decode(new byte[]{'1', ',', (byte) 0xff}))
                .isInstanceOf(io.ksf.spi.InvalidRecordException.class).hasMessageContaining("not UTF-8");
    }
}
