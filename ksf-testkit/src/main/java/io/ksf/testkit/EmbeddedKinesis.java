package io.ksf.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Kinesis Data Streams API server for tests: kinesis-local (kinesis-mock built for Node.js: CBOR and JSON,
 * shards, splits and merges, child shards at a shard's end) in a child {@code node} process on free loopback
 * ports. The testkit's build installs it into the testkit's classes with the machine's npm; {@link #available()}
 * says whether it and {@code node} are there.
 */
public final class EmbeddedKinesis implements AutoCloseable {
    /** The region clients sign for; the server takes any. */
    public static final String REGION = "us-east-1";
    private static final String RESOURCE = "kinesis-local/";
    private static final List<String> FILES = List.of("main.js", "server.json", "package.json");

    private final Process process;
    private final Path dir;
    private final int port;

    private EmbeddedKinesis(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Why the server cannot run here (what to install), or null when it can; found out once per JVM. */
    public static String unavailableReason() {
        return Availability.REASON;
    }

    /** Whether kinesis-local and node are here, looked at once: every test class and method asks. */
    private static final class Availability {
        static final String REASON = check();
    }

    private static String check() {
        if (EmbeddedKinesis.class.getResource(RESOURCE + "main.js") == null) {
            return "kinesis-local is not in the testkit's classes: install Node.js 18+ with npm and rebuild "
                    + "ksf-testkit (its build runs npm install kinesis-local)";
        }
        try {
            Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (node.waitFor(30, TimeUnit.SECONDS) && node.exitValue() == 0) {
                return null;
            }
            return "node --version failed: install Node.js 18+";
        } catch (IOException e) {
            return "node is not on the PATH: install Node.js 18+ to run the Kinesis tests";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Whether {@link #start()} can run the server here. */
    public static boolean available() {
        return unavailableReason() == null;
    }

    /** Starts kinesis-local on free loopback ports (its plain HTTP port and the TLS one it also binds). */
    public static EmbeddedKinesis start() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        try {
            Path dir = Files.createTempDirectory("ksf-kinesis-");
            for (String file : FILES) {
                try (InputStream in = EmbeddedKinesis.class.getResourceAsStream(RESOURCE + file)) {
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            int port = freePort();
            int tlsPort = freePort();
            ProcessBuilder builder = new ProcessBuilder("node", dir.resolve("main.js").toString())
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("kinesis.log").toFile());
            Map<String, String> env = builder.environment();
            env.put("KINESIS_MOCK_CERT_PATH", dir.resolve("server.json").toString());
            env.put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(port));
            env.put("KINESIS_MOCK_TLS_PORT", Integer.toString(tlsPort));
            env.put("LOG_LEVEL", "WARN");
            // streams become ACTIVE and shards split at once, not after the real service's delays
            env.put("CREATE_STREAM_DURATION", "0ms");
            env.put("DELETE_STREAM_DURATION", "0ms");
            env.put("UPDATE_SHARD_COUNT_DURATION", "0ms");
            env.put("SPLIT_SHARD_DURATION", "0ms");
            env.put("MERGE_SHARDS_DURATION", "0ms");
            EmbeddedKinesis kinesis = new EmbeddedKinesis(builder.start(), dir, port);
            kinesis.awaitListening();
            return kinesis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitListening() {
        ChildServers.awaitListening(process, port, "kinesis-local", dir.resolve("kinesis.log"));
    }

    /** What the server printed. */
    public String log() {
        return ChildServers.read(dir.resolve("kinesis.log"));
    }

    /** The server's plain HTTP endpoint. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Makes keys the AWS default chains find first (system properties), for clients of this server, which takes any:
     * those of {@link EmbeddedS3#useAsDefaultCredentials()}, so tests that use both servers set one pair.
     */
    public static void useAsDefaultCredentials() {
        EmbeddedS3.useAsDefaultCredentials();
    }

    /** Stops the server. */
    @Override
    public void close() {
        ChildServers.stop(process);
    }
}
