package io.ksf.bench;

import io.ksf.testkit.EmbeddedKafka;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A peer in a child JVM on its own class path (benchmarks/target/peers/NAME, copied by e2e.sh), timed from its
 * first output (its start-up is not counted, in time or in CPU) until its consumer group has committed the end
 * offsets and it says it has finished. Beside that span it measures the steady state: from when a third of the
 * records are stored (the JIT compiler has done most of its work by then) to the end.
 */
final class ChildPeer {
    /**
     * What one peer run measured; the CPU is the child JVM's over the timed span, start-up excluded.
     *
     * @param steady the last two thirds of the span, or null when the child's progress cannot be read
     */
    record Result(long records, double seconds, double cpuSeconds, Window steady) {
    }

    /** A part of a run: the records stored in it, its seconds and the child's CPU seconds. */
    record Window(long records, double seconds, double cpuSeconds) {
        double recordsPerSecond() {
            return records / seconds;
        }

        double cpuPerMillion() {
            return cpuSeconds / records * 1_000_000;
        }
    }

    private ChildPeer() {
    }

    /** The class path folder of a peer, or a clear error when e2e.sh has not copied it. */
    static Path classPath(String peer) {
        Path dir = Path.of("benchmarks/target/peers", peer);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " is missing: run benchmarks/e2e.sh, which copies the peers' jars");
        }
        return dir;
    }

    /**
     * @param peer      the peer's class path folder name, such as {@code connect}
     * @param arguments JVM options, then the main class and its arguments
     * @param dir       where the child's log goes
     * @param group     the child's consumer group, or null for a child that commits none (a source connector)
     * @param started   true once the child's first output exists
     * @param finished  true once everything is stored (beyond the committed offsets)
     */
    static Result run(String peer, List<String> arguments, Path dir, EmbeddedKafka kafka, String group, String topic,
                      long records, BooleanSupplier started, BooleanSupplier finished) {
        return run(peer, classPath(peer).toAbsolutePath() + "/*", arguments, dir, kafka, group, topic, records,
                started, finished, null);
    }

    /**
     * As above, on this class path.
     *
     * @param stored the records stored so far, for a child without a consumer group; null for one with a group,
     *               whose committed offsets say it
     */
    static Result run(String peer, String classPath, List<String> arguments, Path dir, EmbeddedKafka kafka,
                      String group, String topic, long records, BooleanSupplier started, BooleanSupplier finished,
                      LongSupplier stored) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath));
        command.addAll(profilerOptions(peer, dir));
        command.addAll(arguments);
        Path log = dir.resolve(peer + ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            try {
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (!started.getAsBoolean()) {
                    check(process, deadline, log);
                    LockSupport.parkNanos(2_000_000);
                }
                long start = System.nanoTime();
                double cpuAtStart = cpuSeconds(process);
                Map<TopicPartition, Long> end = kafka.endOffsets(topic);
                long thirdAt = 0;
                double cpuAtThird = 0;
                long storedAtThird = -1;
                while (true) {
                    check(process, deadline, log);
                    Map<TopicPartition, Long> committed = group == null ? null : kafka.committed(group, topic);
                    long done = committed != null ? committed.values().stream().mapToLong(Long::longValue).sum()
                            : stored != null ? stored.getAsLong() : -1;
                    if (storedAtThird < 0 && done >= records / 3) {
                        thirdAt = System.nanoTime();
                        cpuAtThird = cpuSeconds(process);
                        storedAtThird = done;
                    }
                    if ((committed == null || committed.equals(end)) && finished.getAsBoolean()) {
                        break;
                    }
                    LockSupport.parkNanos(20_000_000);
                }
                long now = System.nanoTime();
                double cpu = cpuSeconds(process);
                System.out.println(peer + " child JVM CPU by thread kind, start-up included: "
                        + cpuByThreadKind(process.pid()));
                Window steady = storedAtThird < 0 || storedAtThird >= records ? null
                        : new Window(records - storedAtThird, (now - thirdAt) / 1e9, cpu - cpuAtThird);
                return new Result(records, (now - start) / 1e9, cpu - cpuAtStart, steady);
            } finally {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * With {@code -Dksf.bench.profile=true}, each child JVM records a JFR profile into {@code <peer>.jfr} beside its
     * log (the path is printed), for a view of where its CPU goes; read it with {@code jfr print} or JDK Mission
     * Control. JFR samples Java code only; with {@code -Dksf.bench.asprof=PATH} of async-profiler's
     * {@code libasyncProfiler.so} (in {@code tools.profiler:async-profiler} on Maven Central), each child also writes
     * CPU samples of Java, native and kernel code, as collapsed stacks, into {@code <peer>.collapsed}.
     */
    private static List<String> profilerOptions(String peer, Path dir) {
        List<String> options = new ArrayList<>();
        if (Boolean.getBoolean("ksf.bench.profile")) {
            Path recording = dir.toAbsolutePath().resolve(peer + ".jfr");
            System.out.println(peer + " child JVM profile: " + recording);
            options.add("-XX:StartFlightRecording=settings=profile,filename=" + recording);
        }
        String asprof = System.getProperty("ksf.bench.asprof");
        if (asprof != null) {
            Path stacks = dir.toAbsolutePath().resolve(peer + ".collapsed");
            System.out.println(peer + " child JVM CPU samples: " + stacks);
            options.add("-agentpath:" + asprof + "=start,event=cpu,interval=1ms,threads,file=" + stacks);
        }
        return options;
    }

    /** Seconds of CPU of the JIT compiler, the garbage collector and all other threads of a process (Linux). */
    static String cpuByThreadKind(long pid) {
        java.util.Map<String, Double> seconds = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat = Files.readString(task.resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime, stime
                String kind = name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? "jit"
                        : name.startsWith("G1") || name.startsWith("GC Thread") || name.startsWith("VM Thread")
                        ? "gc" : "other";
                seconds.merge(kind, cpu, Double::sum);
            }
        } catch (IOException | RuntimeException e) {
            return "unavailable (" + e + ")";
        }
        return seconds.toString();
    }

    private static double cpuSeconds(Process process) {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    private static void check(Process process, long deadline, Path log) throws IOException {
        if (!process.isAlive() || System.nanoTime() > deadline) {
            throw new IllegalStateException("the peer " + (process.isAlive() ? "timed out" : "exited") + ": "
                    + Files.readString(log));
        }
    }
}
