package io.ksf.pipeline;

import io.ksf.format.json.JsonFormat;
import io.ksf.spi.KsfRecord;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares {@link RecordWeight}'s estimate with the heap that records really retain: N records of the harness's
 * sample, as read (bytes) and decoded (JSON), held in a list; the live heap is read after full collections.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.ksf.pipeline.RecordWeightCheck [records] [size]</pre>
 */
public final class RecordWeightCheck {
    private RecordWeightCheck() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        JsonFormat json = new JsonFormat();
        System.out.println("| records | estimated B/record | retained B/record | estimate / retained |");
        System.out.println("|---|---:|---:|---:|");
        for (boolean decoded : new boolean[] {false, true}) {
            long before = liveHeap();
            List<KsfRecord> records = new ArrayList<>(count);
            for (int n = 0; n < count; n++) {
                KsfRecord record = KsfRecord.of("bench", n % 6, n, System.currentTimeMillis(), null,
                        io.ksf.bench.Samples.postBytes(n, size), List.of());
                records.add(decoded ? record.withData(json.decode(record.value())) : record);
            }
            long retained = liveHeap() - before;
            long estimated = RecordWeight.of(records);
            System.out.printf(Locale.ROOT, "| %,d of about %,d B, %s | %,d | %,d | %.2f |%n", count, size,
                    decoded ? "decoded" : "as read", estimated / count, retained / count,
                    estimated / (double) retained);
            records.clear();
        }
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
