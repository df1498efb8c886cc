package io.ksf.pipeline;

import io.ksf.spi.KsfRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RecordWeightTest {

    @Test
    void aRecordAsReadWeighsItsBytesAndTheOverhead() {
        KsfRecord record = KsfRecord.of("t", 0, 0, 0L, new byte[3], new byte[1000], List.of());
        assertThat(RecordWeight.of(record)).isEqualTo(RecordWeight.RECORD_OVERHEAD + (16 + 8) + (16 + 1000));
    }

    @Test
    void decodedDataAddsTheWeightOfItsShape() {
        KsfRecord read = KsfRecord.of("t", 0, 0, "{\"a\":\"x\",\"b\":[1,2,3],\"c\":{\"d\":1.5}}");
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("a", "x");
        data.put("b", List.of(1, 2, 3));
        data.put("c", new java.util.LinkedHashMap<>(Map.of("d", new java.math.BigDecimal("1.5"))));
        KsfRecord decoded = read.withData(data);
        long added = RecordWeight.of(decoded) - RecordWeight.of(read);
        // two maps, a list of three numbers, four strings: several hundred bytes, where 4 x the 38 bytes was guessed
        assertThat(added).isBetween(500L, 1200L);
        assertThat(RecordWeight.data(Map.of("k", "a much longer string value than before")))
                .isGreaterThan(RecordWeight.data(Map.of("k", "short")));
        assertThat(RecordWeight.data("é€")).isEqualTo(24 + 16 + 8); // two chars in UTF-16
    }
}
