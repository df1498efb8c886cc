package io.ksf.cli;

import io.ksf.testkit.EmbeddedS3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code ksf} as a child JVM on the test class path, its output appended to a log file, with test S3 keys. */
final class KsfProcess {
    private KsfProcess() {
    }

    static Process start(Path log, List<String> jvmOptions, Map<String, String> environment, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KsfCommand.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_KEY);
        builder.environment().put("AWS_REGION", EmbeddedS3.REGION);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        return process;
    }

    /** What a log file gained since it was {@code offset} bytes long: the lines of the run started then. */
    static String logSince(Path log, long offset) {
        try {
            byte[] bytes = Files.readAllBytes(log);
            return new String(bytes, (int) offset, bytes.length - (int) offset, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ksf run --config FILE} without HTTP endpoints or progress lines. */
    static Process run(Path config, Path log) throws IOException {
        return start(log, List.of(), Map.of(), "run", "--config", config.toString(), "--http-port", "0",
                "--progress-interval", "0");
    }
}
