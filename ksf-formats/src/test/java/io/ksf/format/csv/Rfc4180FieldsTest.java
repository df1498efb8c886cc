package io.ksf.format.csv;

import io.ksf.spi.InvalidRecordException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KSF's reading of one CSV record gives the fields commons-csv's RFC 4180 format gives, on the tricky cases. */
class Rfc4180FieldsTest {

    private static List<String> commonsCsv(String text, char delimiter) throws IOException {
        try (CSVParser parser = CSVParser.parse(new StringReader(text),
                CSVFormat.RFC4180.builder().setDelimiter(delimiter).get())) {
            List<CSVRecord> records = parser.getRecords();
            assertThat(records).hasSize(1);
            return Arrays.asList(records.get(0).values());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a,b,c", "\"a,b\",c", "\"he said \"\"hi\"\"\",x", "1,2,", ",", "\"line\r\nbreak\",z",
            "a\"b,c", "\"\",\"\"", "x\r\n", "x\n", "\"q\"\r\n", "only", " spaced , fields ", "\"a\"\"\"", "é,ü,日本"})
    void theFieldsAreThoseOfCommonsCsv(String text) throws IOException {
        assertThat(CsvFormat.fields(text, ',')).isEqualTo(commonsCsv(text, ','));
        String semicolons = text.replace(',', ';');
        assertThat(CsvFormat.fields(semicolons, ';')).isEqualTo(commonsCsv(semicolons, ';'));
    }

    @Test
    void twoRecordsAnOpenQuoteOrTextAfterAClosingQuoteAreInvalid() {
        assertThatThrownBy(() -> CsvFormat.fields("1,a\r\n2,b", ',')).isInstanceOf(InvalidRecordException.class)
                .hasMessage("expected one CSV record in the value, found more");
        assertThatThrownBy(() -> CsvFormat.fields("1,\"unterminated", ',')).isInstanceOf(InvalidRecordException.class)
                .hasMessage("not valid CSV: the value ends inside a quoted field");
        assertThatThrownBy(() -> CsvFormat.fields("\"a\"b,c", ',')).isInstanceOf(InvalidRecordException.class)
                .hasMessageStartingWith("not valid CSV: invalid char between encapsulated token and delimiter");
        assertThatThrownBy(() -> CsvFormat.fields("", ',')).hasMessage("expected one CSV record in the value, found 0");
    }
}
