package io.ksf.cli;

import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineStats;
import io.ksf.processor.ValidateProcessor;
import io.ksf.target.FileTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** Runs a sample pipeline with nothing installed: sample posts -> validate -> JSON Lines files, then a summary. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run sample pin posts through validate into a local folder, then print a summary.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--records", defaultValue = "100000", description = "how many posts (default ${DEFAULT-VALUE})")
    long records;

    @Option(names = "--out", defaultValue = "ksf-out/demo", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        deleteRecursively(out);
        SamplePosts source = new SamplePosts(records, 6, 1000);
        Pipeline pipeline = Pipeline.builder()
                .source(source, new JsonFormat())
                .processor(new ValidateProcessor(List.of("index", "unique_id", "geo.country"),
                        Map.of("index", "integer", "follower_count", "integer"), null))
                .target(new FileTarget(out.resolve("pins"), "curated/", new JsonFormat()))
                .deadLetter(new FileTarget(out.resolve("dead-letters"), "", new JsonFormat()))
                .flushEvery(10_000, 64L << 20, Duration.ofSeconds(10))
                .build();

        long started = System.nanoTime();
        CompletableFuture<PipelineStats> run = CompletableFuture.supplyAsync(pipeline::run);
        long lastLine = 0;
        while (pipeline.stats().recordsIn() < records && !run.isDone()) {
            Thread.sleep(50);
            if (System.nanoTime() - lastLine > 1_000_000_000L) {
                lastLine = System.nanoTime();
                console.printf("  ... %,d / %,d records%n", pipeline.stats().recordsIn(), records);
                console.flush();
            }
        }
        pipeline.close();
        PipelineStats stats = run.join();
        double seconds = (System.nanoTime() - started) / 1e9;

        long[] objects = count(out.resolve("pins"));
        long[] deadObjects = count(out.resolve("dead-letters"));
        console.println();
        console.println("KSF demo: sample posts -> validate -> file target (JSON Lines)");
        console.printf("  records in        %,d%n", stats.recordsIn());
        console.printf("  written           %,d%n", stats.recordsWritten());
        console.printf("  dead-lettered     %,d (with origin and error, in %d objects)%n",
                stats.recordsDeadLettered(), deadObjects[0]);
        console.printf("  objects           %,d (%,d bytes)%n", objects[0], objects[1]);
        console.printf("  commits           %,d; committed %s%n", stats.commits(), source.committed());
        console.printf("  time              %.2f s, %,.0f records/s%n", seconds, stats.recordsIn() / seconds);
        console.printf("  output            %s%n", out.resolve("pins").toAbsolutePath());
        console.printf("  dead letters      %s%n", out.resolve("dead-letters").toAbsolutePath());
        console.flush();
        return stats.recordsIn() == records ? KsfCommand.OK : KsfCommand.FAILED;
    }

    private static long[] count(Path root) throws IOException {
        if (!Files.exists(root)) {
            return new long[]{0, 0};
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> objects = files.filter(Files::isRegularFile).toList();
            long bytes = 0;
            for (Path object : objects) {
                bytes += Files.size(object);
            }
            return new long[]{objects.size(), bytes};
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
