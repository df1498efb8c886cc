package io.ksf.bench;

import io.ksf.testkit.EmbeddedKafka;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** What the benchmark harnesses share: their flags, one timed run, and where the table of results goes. */
final class Harness {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** The in-process MongoDB-wire server starts its connection threads on first use. */
    private static final java.util.regex.Pattern SERVER_THREADS = java.util.regex.Pattern.compile("mongo-server-");
    private Harness() {
    }

    /** A body to time. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /**
     * One timed run: wall time, the CPU time of the contender's own threads (the body's thread and every thread
     * started while it ran: the servers in the same JVM do not count), and the peak live heap seen.
     */
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

    /** The records in a topic (the sum of its end offsets), 0 while it does not exist. */
    static long recordsIn(EmbeddedKafka kafka, String topic) {
        try {
            return kafka.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Runs the body on a thread of its own after a collection, timing it. */
    static Measured measure(Body body) throws Exception {
        return measure(body, new HeapWatch(false));
    }

    /**
     * Runs the body on a thread of its own, timing it. The CPU of threads that existed before (the broker and the
     * other servers of the harness) is taken out of the process's CPU time, so what is left is the contender's.
     */
    static Measured measure(Body body, HeapWatch heap) throws Exception {
        System.gc();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<Long, Long> before = threadCpu();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        Exception[] failure = new Exception[1];
        Thread contender = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                failure[0] = e;
            }
        }, "contender");
        contender.start();
        contender.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        long processCpu = os.getProcessCpuTime() - cpu;
        long peak = heap.stop();
        if (failure[0] != null) {
            throw failure[0];
        }
        long others = 0;
        for (Map.Entry<Long, Long> after : threadCpu().entrySet()) {
            Long earlier = before.get(after.getKey());
            if (earlier != null) {
                others += after.getValue() - earlier;
            } else if (SERVER_THREADS.matcher(threadName(after.getKey())).lookingAt()) {
                others += after.getValue(); // a server thread started lazily, by the contender's first connection
            }
        }
        return new Measured(seconds, (processCpu - others) / 1e9, peak);
    }

    /** The thread's name, or "" once it has ended (it may end between two looks). */
    private static String threadName(long id) {
        java.lang.management.ThreadInfo info = THREADS.getThreadInfo(id);
        return info == null ? "" : info.getThreadName();
    }

    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long nanos = THREADS.getThreadCpuTime(id);
            if (nanos >= 0) {
                cpu.put(id, nanos);
            }
        }
        return cpu;
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
