package io.ksf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar of the Docker image ({@code ksf-cli/target/ksf.jar}, built by the reactor before this module) holds the
 * command line and no test server: no Kafka broker, Scala, MongoDB-wire server, S3Proxy, JUnit or testkit classes;
 * its SBOM lists none of them either. {@code ksf demo} is the demo launcher's (ksf-examples), tested by
 * {@code DemoCommandTest}.
 */
class ProductionJarTest {
    private static final Path JAR = Path.of("../ksf-cli/target/ksf.jar");
    private static final Path SBOM = Path.of("../ksf-cli/target/ksf-sbom.json");
    /** Where the test servers' classes live. */
    private static final List<String> TEST_SERVERS = List.of("kafka/", "scala/", "org/apache/kafka/raft/",
            "de/bwaldvogel/", "org/gaul/", "org/junit/", "io/ksf/testkit/", "io/ksf/cli/DemoCommand");

    @Test
    void theProductionJarHoldsTheCommandLineAndNoTestServer() throws IOException {
        assertThat(JAR).as("built by the reactor before ksf-examples").exists();
        List<String> entries = entries(JAR);

        assertThat(entries).contains("io/ksf/cli/KsfCommand.class", "io/ksf/cli/RunCommand.class",
                "io/ksf/kafka/KafkaSource.class", "io/ksf/s3/S3Target.class", "io/ksf/parquet/ParquetFormat.class",
                "logback.xml");
        assertThat(entries).filteredOn(entry -> entry.startsWith("org/apache/hadoop/"))
                .as("Hadoop in the production jar (parquet is written without it)").isEmpty();
        assertThat(entries).filteredOn(entry -> entry.endsWith(".class")
                        && TEST_SERVERS.stream().anyMatch(entry::startsWith))
                .as("test servers' classes in the production jar").isEmpty();
        System.out.printf("production jar: %,d bytes, %,d entries%n", Files.size(JAR), entries.size());
    }

    /**
     * The image's class-data sharing, as its Dockerfile makes and uses it: an archive written at the exit of
     * {@code ksf validate}, which the next start maps ({@code -Xshare:on} fails the start when it cannot).
     */
    @Test
    void aClassDataArchiveOfKsfValidateIsMappedByTheNextStart(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path archive = dir.resolve("ksf.jsa");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String config = Path.of("configs/release1-kafka-to-s3.json").toAbsolutePath().toString();
        assertThat(run(dir, java, "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                "-jar", JAR.toString(), "validate", "--config", config)).contains("config is valid");
        assertThat(archive).exists();

        assertThat(run(dir, java, "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-jar", JAR.toString(),
                "validate", "--config", config)).contains("config is valid");
    }

    private static String run(Path dir, String... command) throws Exception {
        Path log = dir.resolve("out.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void itsSbomListsWhatItHoldsAndNoTestServer() throws IOException {
        JsonNode sbom = new ObjectMapper().readTree(SBOM.toFile());
        List<String> components = new ArrayList<>();
        sbom.get("components").forEach(c -> components.add(c.get("group").asText() + ":" + c.get("name").asText()));

        assertThat(sbom.get("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(components).contains("io.ksf:ksf-core", "org.apache.kafka:kafka-clients",
                "software.amazon.awssdk:s3", "org.mongodb:mongodb-driver-sync");
        assertThat(components).noneMatch(c -> c.startsWith("org.scala-lang:") || c.startsWith("org.junit")
                || c.startsWith("de.bwaldvogel:") || c.startsWith("org.gaul:") || c.equals("io.ksf:ksf-testkit")
                || c.equals("org.apache.kafka:kafka_2.13") || c.equals("org.apache.kafka:kafka-server")
                || c.startsWith("org.apache.hadoop:"));
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
        }
    }
}
