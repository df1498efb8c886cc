package io.ksf.format.csv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.Format;
import io.ksf.spi.Header;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RecordWriter;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV as in RFC 4180 (CRLF line ends, double-quote quoting), with commons-csv.
 *
 * <p>Decoding reads one CSV record per value, which must be UTF-8, into a map of column name to text. With columns
 * in the options, a row must have exactly that many fields; without, fields are named {@code _c<index>} as Spark
 * does. Encoding writes a header row, then one row
 * per record; the columns come from the options, or from the first record's fields. Fields that are not columns
 * are left out; nested values are written as JSON text; null is an empty field.
 */
public final class CsvFormat implements Format {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<String> columns;
    private final boolean header;
    private final CSVFormat csv;
    private volatile HeaderNames lastHeader;

    /**
     * @param columns   the column names, or empty: decoded fields are then named {@code _c<index>}, and encoded
     *                  columns come from the first record's fields
     * @param header    whether each object written starts with a header row
     * @param delimiter the field separator
     */
    public CsvFormat(List<String> columns, boolean header, char delimiter) {
        this.columns = List.copyOf(columns);
        this.header = header;
        this.csv = CSVFormat.RFC4180.builder().setDelimiter(delimiter).get();
    }

    @Override
    public String name() {
        return "csv";
    }

    @Override
    public String extension() {
        return "csv";
    }

    @Override
    public Object decode(byte[] value) {
        return decode(value, columns);
    }

    /** With no columns configured, a row read with its object's header row takes its field names from it. */
    @Override
    public Object decode(KsfRecord record) {
        Header header = columns.isEmpty() ? record.header(Header.CSV_HEADER) : null;
        if (header == null || header.value() == null) {
            return decode(record.value());
        }
        return decode(record.value(), names(header.value()));
    }

    /** The field names of a header row; the last one is kept, as the rows of one object share it. */
    private List<String> names(byte[] headerRow) {
        HeaderNames last = lastHeader;
        if (last != null && Arrays.equals(last.row(), headerRow)) {
            return last.names();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) decode(headerRow, List.of());
        List<String> names = fields.values().stream().map(String::valueOf).toList();
        lastHeader = new HeaderNames(headerRow, names);
        return names;
    }

    private record HeaderNames(byte[] row, List<String> names) {
    }

    private Object decode(byte[] value, List<String> columns) {
        List<String> record = fields(text(value), csv.getDelimiterString().charAt(0));
        if (!columns.isEmpty() && record.size() != columns.size()) {
            throw new InvalidRecordException("expected " + columns.size() + " CSV fields " + columns + ", found "
                    + record.size());
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < record.size(); i++) {
            fields.put(i < columns.size() ? columns.get(i) : "_c" + i, record.get(i));
        }
        return fields;
    }

    /** The value as text; bytes that are not UTF-8 make an invalid record. */
    private static String text(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') >= 0) { // a replacement: malformed input, or a real U+FFFD? ask strictly
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value));
            } catch (CharacterCodingException e) {
                throw new InvalidRecordException("not valid CSV: the value is not UTF-8 (" + e + ")", e);
            }
        }
        return text;
    }

    /**
     * The fields of the one RFC 4180 record that the text holds, read as commons-csv's RFC 4180 format reads it
     * (quoted fields may hold delimiters, line breaks and doubled quotes; one line break may end the record), without
     * its per-call 8 KB reader buffer: decoding is on every record's path.
     */
    static List<String> fields(String text, char delimiter) {
        int end = text.length();
        if (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        if (end > 0 && text.charAt(end - 1) == '\r') {
            end--;
        }
        if (text.isEmpty()) {
            throw new InvalidRecordException("expected one CSV record in the value, found 0");
        }
        List<String> fields = new ArrayList<>(8);
        int i = 0;
        while (true) {
            if (i < end && text.charAt(i) == '"') {
                StringBuilder field = new StringBuilder();
                int from = i + 1;
                while (true) {
                    int quote = text.indexOf('"', from);
                    if (quote < 0 || quote >= end) {
                        throw new InvalidRecordException("not valid CSV: the value ends inside a quoted field");
                    }
                    field.append(text, from, quote);
                    if (quote + 1 < end && text.charAt(quote + 1) == '"') {
                        field.append('"');
                        from = quote + 2;
                    } else {
                        i = quote + 1;
                        break;
                    }
                }
                fields.add(field.toString());
                if (i < end && text.charAt(i) != delimiter) {
                    throw new InvalidRecordException(text.charAt(i) == '\r' || text.charAt(i) == '\n'
                            ? "expected one CSV record in the value, found more"
                            : "not valid CSV: invalid char between encapsulated token and delimiter at position " + i);
                }
            } else {
                int stop = i;
                while (stop < end && text.charAt(stop) != delimiter && text.charAt(stop) != '\r'
                        && text.charAt(stop) != '\n') {
                    stop++;
                }
                fields.add(text.substring(i, stop));
                i = stop;
                if (i < end && text.charAt(i) != delimiter) {
                    throw new InvalidRecordException("expected one CSV record in the value, found more");
                }
            }
            if (i >= end) {
                return fields;
            }
            i++; // past the delimiter: another field follows, empty when the record ends here
        }
    }

    @Override
    public RecordWriter writer(OutputStream out) {
        return new CsvWriter(out, header);
    }

    /** One row, without the header row, as a message of its own carries it. */
    @Override
    public byte[] encode(KsfRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(32, record.sizeInBytes() + 16));
        try (RecordWriter writer = new CsvWriter(out, false)) {
            writer.write(record);
        } catch (InvalidRecordException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidRecordException("cannot encode record " + record.origin() + " as csv: "
                    + e.getMessage(), e);
        }
        byte[] bytes = out.toByteArray();
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        return Arrays.copyOf(bytes, end);
    }

    private final class CsvWriter implements RecordWriter {
        private final CSVPrinter printer;
        private List<String> names = columns;
        private final boolean withHeader;
        private boolean started;

        CsvWriter(OutputStream out, boolean withHeader) {
            this.withHeader = withHeader;
            try {
                printer = new CSVPrinter(new OutputStreamWriter(out, StandardCharsets.UTF_8), csv);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(KsfRecord record) throws IOException {
            Object data = record.data();
            List<String> header = names;
            if (!started && header.isEmpty() && data instanceof Map<?, ?> map) {
                header = map.keySet().stream().map(String::valueOf).toList();
            }
            List<String> row;
            try {
                row = row(data, header); // before anything is printed, so a failure leaves the stream as it was
            } catch (JsonProcessingException e) {
                throw new InvalidRecordException("cannot encode record " + record.origin() + " as csv: "
                        + e.getOriginalMessage(), e);
            }
            if (!started) {
                started = true;
                names = header;
                if (withHeader && !names.isEmpty()) {
                    printer.printRecord(names);
                }
            }
            printer.printRecord(row);
        }

        private static List<String> row(Object data, List<String> names) throws JsonProcessingException {
            List<String> values = new ArrayList<>();
            if (data instanceof Map<?, ?> map) {
                for (String name : names) {
                    values.add(text(map.get(name)));
                }
            } else if (data instanceof List<?> list) {
                for (Object element : list) {
                    values.add(text(element));
                }
            } else {
                values.add(text(data));
            }
            return values;
        }

        private static String text(Object value) throws JsonProcessingException {
            if (value == null) {
                return "";
            }
            if (value instanceof Map || value instanceof List) {
                return MAPPER.writeValueAsString(value);
            }
            if (value instanceof BigDecimal decimal) {
                return decimal.toPlainString();
            }
            return value.toString();
        }

        @Override
        public void close() throws IOException {
            printer.flush();
        }
    }
}
