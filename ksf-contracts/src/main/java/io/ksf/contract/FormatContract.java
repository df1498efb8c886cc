package io.ksf.contract;

import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RecordWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link Format} must do: round trips, streaming into an OutputStream, clear errors on bad input. */
public abstract class FormatContract {

    protected abstract Format format();

    /** Decoded values that this format represents exactly. */
    protected abstract List<Object> samples();

    /** One record's value in this format. */
    protected abstract byte[] encodeValue(Object data) throws IOException;

    /** Reads a batch written by {@link Format#writer} back into decoded values. */
    protected abstract List<Object> readBatch(byte[] encoded) throws IOException;

    /** Values that are not valid in this format. */
    protected abstract List<byte[]> malformedValues();

    private static KsfRecord decoded(Object data, long offset) {
        return KsfRecord.of("t", 0, offset, "ignored").withData(data);
    }

    @Test
    void decodingAnEncodedValueGivesTheSameData() throws IOException {
        for (Object sample : samples()) {
            assertThat(format().decode(encodeValue(sample))).isEqualTo(sample);
        }
    }

    @Test
    void aBatchReadsBackAsTheRecordsWritten() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Object> samples = samples();
        try (RecordWriter writer = format().writer(out)) {
            for (int i = 0; i < samples.size(); i++) {
                writer.write(decoded(samples.get(i), i));
            }
        }
        assertThat(readBatch(out.toByteArray())).containsExactlyElementsOf(samples);
    }

    @Test
    void anEmptyBatchReadsBackEmpty() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        format().writer(out).close();
        assertThat(readBatch(out.toByteArray())).isEmpty();
    }

    @Test
    void theWriterStreamsAndLeavesTheStreamOpen() throws IOException {
        CountingStream out = new CountingStream();
        Object sample = samples().get(0);
        RecordWriter writer = format().writer(out);
        for (int i = 0; i < 20_000; i++) {
            writer.write(decoded(sample, i));
        }
        long beforeClose = out.count;
        writer.close();
        assertThat(beforeClose).as("bytes that reached the stream before close").isGreaterThan(0);
        assertThat(out.closed).as("the writer closed the stream").isFalse();
        assertThat(out.count).isGreaterThanOrEqualTo(beforeClose);
    }

    @Test
    void malformedValuesAreRejectedAsInvalidRecords() {
        for (byte[] value : malformedValues()) {
            assertThatThrownBy(() -> format().decode(value)).isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining(format().name().toUpperCase(Locale.ROOT));
        }
    }

    @Test
    void nameAndExtensionAreSet() {
        assertThat(format().name()).matches("[a-z0-9]+");
        assertThat(format().extension()).matches("[a-z0-9]+");
    }

    private static final class CountingStream extends OutputStream {
        long count;
        boolean closed;
        final List<Integer> chunks = new ArrayList<>();

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
            chunks.add(len);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
