package io.ksf.format.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RecordWriter;
import io.ksf.support.Utf8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * JSON: one JSON document per record value; a batch is written as JSON Lines (one document per line, each
 * ending with {@code \n}). Decimals decode as BigDecimal so they are written back as they came. Values that are
 * already one line pass through byte for byte when nothing needs them decoded.
 */
public final class JsonFormat implements Format {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    // resolved once: readValue(bytes, Object.class) looks the type up again for every record
    private static final ObjectReader READER = MAPPER.readerFor(Object.class);
    /** The field reader of the last paths asked for. */
    private volatile JsonFieldTypes fieldReader;

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String extension() {
        return "json";
    }

    /**
     * Decodes one document. Beyond what Jackson rejects, a string holding a lone surrogate (it has no UTF-8 form)
     * and a number beyond the range of a double (no reader downstream holds it) are invalid records.
     */
    @Override
    public Object decode(byte[] value) {
        try {
            Object decoded = READER.readValue(value);
            if (mayNeedCheck(value, true)) {
                checkValues(decoded);
            }
            return decoded;
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidRecordException("not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the types off the bytes with a streaming parser, without building the document ({@link
     * JsonFieldTypes}); a value that may hold a lone surrogate, or a number that may be beyond a double, is decoded
     * whole, so that exactly the values {@link #decode} refuses are refused.
     */
    @Override
    public Map<String, String> fieldTypes(byte[] value, Collection<String> paths) {
        if (mayNeedCheck(value, false)) { // numbers are checked as the parser meets them
            return Format.super.fieldTypes(value, paths);
        }
        JsonFieldTypes reader = fieldReader;
        if (reader == null || !reader.readsPaths(paths)) {
            reader = new JsonFieldTypes(paths);
            fieldReader = reader; // a processor asks for the same paths every time
        }
        try {
            return reader.read(MAPPER.getFactory(), value);
        } catch (JsonFieldTypes.NeedsFullDecode e) {
            return Format.super.fieldTypes(value, paths);
        }
    }

    /**
     * A cheap look at the bytes, in one pass: a lone surrogate gets into a decoded string only from a backslash-u-D
     * escape or the UTF-8 bytes ED A0-BF (which Jackson decodes), and, when {@code numbers} is asked, a number
     * beyond a double needs an exponent or more than 300 digits; most values have neither, and skip the check.
     */
    private static boolean mayNeedCheck(byte[] bytes, boolean numbers) {
        int digits = 0;
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (numbers && b >= '0' && b <= '9') {
                if (++digits > 300) {
                    return true;
                }
                continue;
            }
            if (numbers && (b | 0x20) == 'e' && digits > 0
                    || b == '\\' && i + 2 < bytes.length && bytes[i + 1] == 'u' && (bytes[i + 2] | 0x20) == 'd'
                    || b == (byte) 0xED && i + 1 < bytes.length && (bytes[i + 1] & 0xE0) == 0xA0) {
                return true;
            }
            digits = 0;
        }
        return false;
    }

    private static void checkValues(Object value) {
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                checkValues(entry.getKey());
                checkValues(entry.getValue());
            }
        } else if (value instanceof List<?> list) {
            list.forEach(JsonFormat::checkValues);
        } else if (value instanceof String text) {
            Utf8.requireEncodable(text);
        } else if (value instanceof BigDecimal number && number.precision() - number.scale() > 309
                || value instanceof BigInteger integer && integer.bitLength() > 1024) {
            throw new InvalidRecordException("not valid JSON: the number " + abbreviated(value) + " is beyond the "
                    + "range of a double");
        }
    }

    private static String abbreviated(Object number) {
        String text = number.toString();
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    /** A value with no line break can be copied into JSON Lines as it is. */
    @Override
    public boolean copiesAsIs(byte[] value) {
        return !LineBreaks.in(value);
    }

    /** One document: the value bytes as they are when not decoded (line breaks and all), else the data as JSON. */
    @Override
    public byte[] encode(KsfRecord record) {
        if (!record.decoded()) {
            return record.value();
        }
        try {
            return MAPPER.writeValueAsBytes(record.data());
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("cannot encode record " + record.origin() + " as json: "
                    + e.getOriginalMessage(), e);
        }
    }

    @Override
    public RecordWriter writer(OutputStream out) {
        return new JsonLinesWriter(out);
    }

    /**
     * Each decoded document is generated into a buffer first and copied out only when complete, so a value that
     * cannot be encoded leaves no half line in the stream.
     */
    private static final class JsonLinesWriter implements RecordWriter {
        private static final byte[] NULL_LINE = {'n', 'u', 'l', 'l', '\n'};
        private final OutputStream out;
        private final DocumentBuffer buffer = new DocumentBuffer();
        private JsonGenerator generator;

        JsonLinesWriter(OutputStream out) {
            this.out = out;
            this.generator = newGenerator(buffer);
        }

        private static JsonGenerator newGenerator(OutputStream target) {
            try {
                JsonGenerator generator = MAPPER.createGenerator(target);
                generator.setRootValueSeparator(null); // lines end with \n instead of Jackson's " " between roots
                return generator;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(KsfRecord record) throws IOException {
            if (record.decoded()) {
                try {
                    generator.writeObject(record.data());
                    generator.writeRaw('\n');
                    generator.flush();
                } catch (JsonProcessingException e) {
                    generator = newGenerator(buffer); // the old one is inside the broken document
                    buffer.reset();
                    throw new InvalidRecordException("cannot encode record " + record.origin() + " as json: "
                            + e.getOriginalMessage(), e);
                }
                buffer.writeTo(out);
                buffer.reset();
                return;
            }
            if (record.value() == null) {
                out.write(NULL_LINE);
            } else {
                out.write(record.value());
                out.write('\n');
            }
        }

        @Override
        public void close() throws IOException {
            generator.close();
            buffer.writeTo(out);
            buffer.reset();
        }
    }

    /** A byte buffer reused for every document of a writer. */
    private static final class DocumentBuffer extends ByteArrayOutputStream {
        DocumentBuffer() {
            super(1024);
        }
    }
}
