package io.ksf.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A real S3 API server for tests: S3Proxy (checks SigV4, multipart, paging) in a child JVM, on a free loopback
 * port, storing objects in a temporary folder. The S3Proxy jar comes from the local Maven repository, where the
 * testkit's build puts it; the system property {@code ksf.s3proxy.jar} may point elsewhere.
 */
public final class EmbeddedS3 implements AutoCloseable {
    public static final String ACCESS_KEY = "ksf-access";
    public static final String SECRET_KEY = "ksf-secret-key";
    public static final String REGION = "us-east-1";

    private final Process process;
    private final Path dataDir;
    private final int port;

    private EmbeddedS3(Process process, Path dataDir, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** Starts S3Proxy on a free loopback port, storing objects in a temporary folder. */
    public static EmbeddedS3 start() {
        try {
            Path dataDir = Files.createTempDirectory("ksf-s3-");
            int port;
            try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            Properties conf = new Properties();
            conf.put("s3proxy.endpoint", "http://127.0.0.1:" + port);
            conf.put("s3proxy.authorization", "aws-v2-or-v4");
            conf.put("s3proxy.identity", ACCESS_KEY);
            conf.put("s3proxy.credential", SECRET_KEY);
            conf.put("jclouds.provider", "filesystem");
            conf.put("jclouds.filesystem.basedir", dataDir.resolve("buckets").toString());
            Files.createDirectories(dataDir.resolve("buckets"));
            Path confFile = dataDir.resolve("s3proxy.conf");
            try (var out = Files.newOutputStream(confFile)) {
                conf.store(out, "KSF embedded S3");
            }
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-Dlogback.configurationFile=none", "-jar", jar().toString(), "--properties", confFile.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dataDir.resolve("s3proxy.log").toFile()).start();
            EmbeddedS3 s3 = new EmbeddedS3(process, dataDir, port);
            s3.awaitListening();
            return s3;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The S3Proxy jar: {@code -Dksf.s3proxy.jar}, or the local Maven repository. */
    static Path jar() {
        String configured = System.getProperty("ksf.s3proxy.jar");
        if (configured != null && Files.isRegularFile(Path.of(configured))) {
            return Path.of(configured);
        }
        String version = version();
        String repository = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path jar = Path.of(repository, "org", "gaul", "s3proxy", version,
                "s3proxy-" + version + "-jar-with-dependencies.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar not found at " + jar + "; build ksf-testkit first "
                    + "(./mvnw -pl ksf-testkit install) or set -Dksf.s3proxy.jar");
        }
        return jar;
    }

    private static String version() {
        try (InputStream in = EmbeddedS3.class.getResourceAsStream("servers.properties")) {
            Properties props = new Properties();
            props.load(in);
            return props.getProperty("s3proxy.version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening() {
        ChildServers.awaitListening(process, port, "S3Proxy", dataDir.resolve("s3proxy.log"));
    }

    /**
     * Makes this server's keys and region what the AWS default chains find first (system properties), as they
     * would find a task role's; for S3 clients that the test itself creates.
     */
    public static void useAsDefaultCredentials() {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        System.setProperty("aws.region", REGION);
    }

    /** The server's endpoint, for path-style clients. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The server's port. */
    public int port() {
        return port;
    }

    /** The folder where S3Proxy keeps the objects of a bucket (one file per key). */
    public Path bucketFolder(String bucket) {
        return dataDir.resolve("buckets").resolve(bucket);
    }

    @Override
    public void close() {
        ChildServers.stop(process);
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: the OS cleans what is left
        }
    }
}
