package io.ksf.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** What the benchmark harnesses share: their flags, one timed run, and where the table of results goes. */
final class Harness {
    private Harness() {
    }

    /** A body to time. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** One timed run: wall time, process CPU time, and the peak live heap seen. */
    record Measured(double seconds, double cpuSeconds, long peakHeap) {
    }

    /** {@code --name value} pairs; the {@code switches} take no value. */
    static Map<String, String> flags(String[] args, Set<String> switches) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            boolean switchOnly = switches.contains(args[i]) || i + 1 == args.length;
            flags.put(args[i], switchOnly ? "true" : args[++i]);
        }
        return flags;
    }

    /** Runs the body after a collection, timing it. */
    static Measured measure(Body body) throws Exception {
        System.gc();
        HeapWatch heap = new HeapWatch();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        body.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Measured(seconds, (os.getProcessCpuTime() - cpu) / 1e9, heap.stop());
    }

    /** Prints the table and writes it to {@code --out}, or to the default file; then the JVM exits. */
    static void finish(String table, Map<String, String> flags, String defaultOut) throws IOException {
        System.out.println(table);
        Path out = Path.of(flags.getOrDefault("--out", defaultOut));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        System.out.println("written to " + out);
        System.exit(0);
    }
}
