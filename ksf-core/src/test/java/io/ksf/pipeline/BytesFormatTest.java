package io.ksf.pipeline;

import io.ksf.contract.FormatContract;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.spi.Format;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The bytes format passes the Format contract: values as they are, one per line in a batch. */
class BytesFormatTest extends FormatContract {
    @Override
    protected Format format() {
        return new BytesFormat("\n");
    }

    @Override
    protected List<Object> samples() {
        return List.of("plain text".getBytes(StandardCharsets.UTF_8), new byte[]{0, 1, (byte) 0xff},
                new byte[0]);
    }

    @Override
    protected byte[] encodeValue(Object data) {
        return (byte[]) data;
    }

    @Override
    protected List<Object> readBatch(byte[] encoded) {
        List<Object> values = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < encoded.length; i++) {
            if (encoded[i] == '\n') {
                values.add(Arrays.copyOfRange(encoded, start, i));
                start = i + 1;
            }
        }
        return values;
    }

    @Override
    protected List<byte[]> malformedValues() {
        return List.of(); // every byte sequence is a valid value
    }
}
