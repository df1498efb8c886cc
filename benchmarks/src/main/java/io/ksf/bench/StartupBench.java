package io.ksf.bench;

import io.ksf.testkit.EmbeddedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Start-up of {@code ksf run} as ECS pays it on every restart and scale-out: a child JVM from
 * {@code ksf-cli/target/ksf.jar} reading a preloaded topic into the file target, timed from the process start to
 * its first object stored (the first record durable) and to every record committed, with the child's CPU. Each
 * variant of JVM options runs several times, alternating, and the medians are reported; the class-data sharing
 * variant uses an archive written at the exit of one training run of the same pipeline.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ksf.bench.StartupBench [--records N] [--runs N] [--out FILE]
 * </pre>
 */
public final class StartupBench {
    private record Run(double firstStoredSeconds, double allSeconds, double cpuSeconds) {
    }

    private StartupBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = Harness.flags(args, java.util.Set.of());
        long records = Long.parseLong(flags.getOrDefault("--records", "200000"));
        int runs = Integer.parseInt(flags.getOrDefault("--runs", "3"));
        Path jar = Path.of("ksf-cli/target/ksf.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with ./mvnw -pl ksf-cli -am install");
        }
        Path work = Files.createTempDirectory("ksf-startup-");
        Path archive = work.resolve("ksf.jsa");
        Path validateArchive = work.resolve("ksf-validate.jsa");
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("default JVM options", List.of());
        variants.put("class-data sharing archive of a training run (-XX:SharedArchiveFile)",
                List.of("-XX:SharedArchiveFile=" + archive));
        variants.put("class-data sharing archive of `ksf validate` (as an image build can make it)",
                List.of("-XX:SharedArchiveFile=" + validateArchive));
        variants.put("C1 only (-XX:TieredStopAtLevel=1)", List.of("-XX:TieredStopAtLevel=1"));
        Map<String, List<Run>> results = new LinkedHashMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("startup", 6);
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                for (long n = 0; n < records; n++) {
                    producer.send(new ProducerRecord<>("startup", (int) (n % 6), null, Samples.postBytes(n, 1024)));
                }
                producer.flush();
            }
            run(kafka, jar, work, records, List.of("-XX:ArchiveClassesAtExit=" + archive)); // training, unmeasured
            validateOnly(kafka, jar, work, validateArchive);
            System.out.printf("class-data archives: %,d bytes (run), %,d bytes (validate)%n", Files.size(archive),
                    Files.size(validateArchive));
            for (int round = 0; round < runs; round++) {
                for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
                    Run run = run(kafka, jar, work, records, variant.getValue());
                    System.out.printf(Locale.ROOT, "%-75s first stored %.2f s, all %.2f s, CPU %.2f s%n",
                            variant.getKey(), run.firstStoredSeconds(), run.allSeconds(), run.cpuSeconds());
                    results.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(run);
                }
            }
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%,d posts of about 1 KiB, 6 partitions, "
                + "kafka -> file, sync; medians of %d runs each, alternating%n%n| JVM options | process start -> first "
                + "record stored, s | -> all %,d committed, s | records/s over the whole run | CPU s |%n"
                + "|---|---:|---:|---:|---:|%n", records, runs, records));
        results.forEach((name, list) -> {
            double all = median(list.stream().mapToDouble(Run::allSeconds));
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %,.0f | %.2f |%n", name,
                    median(list.stream().mapToDouble(Run::firstStoredSeconds)), all, records / all,
                    median(list.stream().mapToDouble(Run::cpuSeconds))));
        });
        Harness.finish(out.toString(), flags, "benchmarks/target/startup-results.md");
    }

    private static Run run(EmbeddedKafka kafka, Path jar, Path work, long records, List<String> jvmOptions)
            throws IOException, InterruptedException {
        String group = "startup-" + System.nanoTime();
        Path dir = Files.createTempDirectory(work, "run-");
        Path out = dir.resolve("out");
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"name": "startup",
                 "source": {"type": "kafka", "format": "json", "topics": ["startup"],
                            "properties": {"bootstrap.servers": "%s", "group.id": "%s",
                                           "auto.offset.reset": "earliest", "max.poll.records": "2000"}},
                 "target": {"type": "file", "path": "%s"},
                 "pipeline": {"mode": "sync", "flush.records": 30000, "flush.interval": "1s"}}
                """.formatted(kafka.bootstrapServers(), group, out));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", jar.toString(), "io.ksf.cli.KsfCommand", "run", "--config", config.toString(),
                "--http-port", "0", "--progress-interval", "0"));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ksf.log").toFile()).start();
        try {
            long deadline = start + Duration.ofMinutes(5).toNanos();
            while (!hasObject(out)) {
                check(process, deadline, dir);
                LockSupport.parkNanos(1_000_000);
            }
            double first = (System.nanoTime() - start) / 1e9;
            while (!kafka.committed(group, "startup").equals(kafka.endOffsets("startup"))) {
                check(process, deadline, dir);
                LockSupport.parkNanos(5_000_000);
            }
            double all = (System.nanoTime() - start) / 1e9;
            double cpu = process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
            return new Run(first, all, cpu);
        } finally {
            process.destroy(); // SIGTERM: a clean exit, which writes the archive of the training run
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** {@code ksf validate} of the same config, writing a class-data archive at its exit: no server needed. */
    private static void validateOnly(EmbeddedKafka kafka, Path jar, Path work, Path archive)
            throws IOException, InterruptedException {
        Path config = Files.writeString(work.resolve("validate.json"), """
                {"source": {"type": "kafka", "format": "json", "topics": ["startup"],
                            "properties": {"bootstrap.servers": "%s", "group.id": "validate"}},
                 "target": {"type": "file", "path": "%s"}}
                """.formatted(kafka.bootstrapServers(), work.resolve("never")));
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + archive, "-cp", jar.toString(), "io.ksf.cli.KsfCommand", "validate",
                "--config", config.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("validate.log").toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("ksf validate failed: " + Files.readString(work.resolve("validate.log")));
        }
    }

    private static boolean hasObject(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(out)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".json"));
        }
    }

    private static void check(Process process, long deadline, Path dir) throws IOException {
        if (!process.isAlive() || System.nanoTime() > deadline) {
            throw new IllegalStateException("ksf " + (process.isAlive() ? "timed out" : "exited") + ": "
                    + Files.readString(dir.resolve("ksf.log")));
        }
    }

    private static double median(java.util.stream.DoubleStream values) {
        double[] sorted = values.sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
