package io.ksf.pipeline;

import io.ksf.spi.KsfRecord;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * What a record holds on the heap, for the async memory budget: its bytes, its decoded data walked by shape, and
 * a fixed overhead. Sizes are those of a 64-bit JVM with compressed references, rounded up a little; field names
 * that the JSON parser shares between records are counted for every record, so the estimate errs high.
 * {@code benchmarks/.../RecordWeightCheck} compares it with the heap that records really retain.
 */
final class RecordWeight {
    /** The record object, its header list, topic reference and boxed positions. */
    static final int RECORD_OVERHEAD = 96;

    private RecordWeight() {
    }

    static long of(KsfRecord record) {
        long weight = RECORD_OVERHEAD + array(record.key()) + array(record.value());
        return record.decoded() ? weight + data(record.data()) : weight;
    }

    static long of(List<KsfRecord> records) {
        long weight = 0;
        for (KsfRecord record : records) {
            weight += of(record);
        }
        return weight;
    }

    private static long array(byte[] bytes) {
        return bytes == null ? 0 : 16 + align(bytes.length);
    }

    /** The heap of decoded data: maps, lists, strings, numbers and booleans as the formats produce them. */
    static long data(Object value) {
        if (value == null || value instanceof Boolean) {
            return 0; // null and the shared Boolean constants
        }
        if (value instanceof String text) {
            return 24 + 16 + align(text.length() * (latin1(text) ? 1L : 2L));
        }
        if (value instanceof Map<?, ?> map) {
            long table = 16 + 4L * Math.max(16, Integer.highestOneBit(Math.max(1, map.size() * 4 / 3) * 2));
            long weight = 56 + table + 40L * map.size();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                weight += data(entry.getKey()) + data(entry.getValue());
            }
            return weight;
        }
        if (value instanceof List<?> list) {
            long weight = 24 + 16 + align(4L * list.size());
            for (Object element : list) {
                weight += data(element);
            }
            return weight;
        }
        if (value instanceof BigDecimal || value instanceof BigInteger) {
            return 72;
        }
        if (value instanceof Number) {
            return 24;
        }
        if (value instanceof byte[] bytes) {
            return array(bytes);
        }
        return 64;
    }

    private static boolean latin1(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }
}
