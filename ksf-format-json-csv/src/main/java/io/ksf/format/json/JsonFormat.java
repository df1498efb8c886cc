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

import java.io.IOException;
import java.io.OutputStream;

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

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String extension() {
        return "json";
    }

    @Override
    public Object decode(byte[] value) {
        try {
            return READER.readValue(value);
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidRecordException("not valid JSON: " + e.getMessage(), e);
        }
    }

    /** A value with no line break can be copied into JSON Lines as it is. */
    @Override
    public boolean writesRaw(byte[] value) {
        for (byte b : value) {
            if (b == '\n' || b == '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public RecordWriter writer(OutputStream out) {
        return new JsonLinesWriter(out);
    }

    private static final class JsonLinesWriter implements RecordWriter {
        private static final byte[] NULL_LINE = {'n', 'u', 'l', 'l', '\n'};
        private final OutputStream out;
        private final JsonGenerator generator;

        JsonLinesWriter(OutputStream out) {
            this.out = out;
            try {
                this.generator = MAPPER.createGenerator(out);
                generator.setRootValueSeparator(null); // lines end with \n instead of Jackson's " " between roots
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void write(KsfRecord record) throws IOException {
            if (record.decoded()) {
                generator.writeObject(record.data());
                generator.writeRaw('\n');
                return;
            }
            generator.flush();
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
        }
    }
}
