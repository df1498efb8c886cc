package io.ksf.pipeline;

import io.ksf.contract.Folders;
import io.ksf.contract.InMemorySource;
import io.ksf.file.FileTarget;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.spi.KsfRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedding guide's recipe for a host's main method: SIGTERM flushes, commits, and the process exits 0. */
class StopSignalsTest {
    private static final int RECORDS = 1000;

    @TempDir
    Path dir;

    @Test
    void sigtermStopsThePipelineAfterItsFinalFlushAndTheProcessExitsZero() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HostMain.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
                if (line.equals("all records read")) {
                    process.toHandle().destroy(); // SIGTERM, leaving the output stream open
                }
            }
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited; output %s", output).isTrue();

        assertThat(process.exitValue()).as("exit status; output %s", output).isZero();
        assertThat(output).anyMatch(line -> line.contains("SIGTERM received: flushing and committing"));
        assertThat(output).contains("committed " + RECORDS);
        assertThat(Folders.lines(dir)).hasSize(RECORDS).contains("post 0", "post 999");
    }

    /** A host application: records wait in the target until the stop, since no flush threshold is met before. */
    public static final class HostMain {
        public static void main(String[] args) throws Exception {
            List<KsfRecord> records = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                records.add(KsfRecord.of("posts", i % 2, i / 2, "post " + i));
            }
            InMemorySource source = new InMemorySource(records);
            try (Pipeline pipeline = Pipeline.builder().name("host")
                    .source(source, new BytesFormat("\n"))
                    .target(new FileTarget(Path.of(args[0]), "", new BytesFormat("\n")))
                    .flushEvery(1_000_000, 1L << 30, Duration.ofHours(1))
                    .build();
                 StopSignals signals = StopSignals.install(pipeline)) {
                Thread watcher = new Thread(() -> {
                    while (pipeline.stats().recordsIn() < RECORDS) {
                        Thread.onSpinWait();
                    }
                    System.out.println("all records read");
                }, "watcher");
                watcher.setDaemon(true);
                watcher.start();
                PipelineStats stats = pipeline.run();
                System.out.println("committed " + stats.committed().asMap().values().stream()
                        .mapToLong(Long::longValue).sum());
            }
        }
    }
}
