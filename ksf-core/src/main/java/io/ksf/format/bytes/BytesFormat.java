package io.ksf.format.bytes;

import io.ksf.spi.Format;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RecordWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Values as they are: decoding keeps the bytes, encoding writes each value followed by the delimiter. Decoded
 * data that is a String is written as UTF-8, any other value as its text.
 */
public final class BytesFormat implements Format {
    private final byte[] delimiter;

    /** @param delimiter written after each value in an object, such as a line break */
    public BytesFormat(String delimiter) {
        this.delimiter = delimiter.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String name() {
        return "bytes";
    }

    @Override
    public String extension() {
        return "bin";
    }

    @Override
    public Object decode(byte[] value) {
        return value;
    }

    @Override
    public boolean copiesAsIs(byte[] value) {
        return true;
    }

    /** The value alone, without the delimiter: raw bytes as they are, decoded data as its UTF-8 text. */
    @Override
    public byte[] encode(KsfRecord record) {
        Object data = record.decoded() ? record.data() : record.value();
        if (data instanceof byte[] bytes) {
            return bytes;
        }
        return data == null ? null : String.valueOf(data).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public RecordWriter writer(OutputStream out) {
        return new RecordWriter() {
            @Override
            public void write(KsfRecord record) throws IOException {
                Object data = record.decoded() ? record.data() : record.value();
                if (data instanceof byte[] bytes) {
                    out.write(bytes);
                } else if (data != null) {
                    out.write(String.valueOf(data).getBytes(StandardCharsets.UTF_8));
                }
                out.write(delimiter);
            }

            @Override
            public void close() {
            }
        };
    }
}
