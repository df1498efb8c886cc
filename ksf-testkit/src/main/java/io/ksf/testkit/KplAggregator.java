package io.ksf.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kinesis Producer Library aggregates made by an aggregator that is not KSF's: npm's {@code aws-kinesis-agg}, which
 * ksf-testkit's build installs beside kinesis-local (tests find it through the {@code ksf.kpl.node.modules} system
 * property the build sets), run with node.
 */
public final class KplAggregator {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A user record to aggregate, or an aggregate to put into a stream.
     *
     * @param partitionKey    its partition key
     * @param explicitHashKey its explicit hash key, or null
     * @param data            its data
     */
    public record Entry(String partitionKey, String explicitHashKey, byte[] data) {
    }

    private KplAggregator() {
    }

    /** Why aggregates cannot be made here (what to install), or null when they can. */
    public static String unavailableReason() {
        String reason = EmbeddedKinesis.unavailableReason(); // node, and the npm install of the testkit's build
        if (reason != null) {
            return reason;
        }
        return Files.isDirectory(nodeModules().resolve("aws-kinesis-agg")) ? null
                : "aws-kinesis-agg is not in " + nodeModules() + ": rebuild ksf-testkit with npm on the PATH";
    }

    /** Where the testkit's build installed aws-kinesis-agg: the property, else seen from the repository or a module. */
    private static Path nodeModules() {
        String set = System.getProperty("ksf.kpl.node.modules");
        if (set != null) {
            return Path.of(set);
        }
        Path fromRoot = Path.of("ksf-testkit/target/npm/node_modules");
        return Files.isDirectory(fromRoot) ? fromRoot : Path.of("../ksf-testkit/target/npm/node_modules");
    }

    /** One aggregate of each group of user records, in order (each group fits one Kinesis record). */
    public static List<Entry> aggregate(List<List<Entry>> groups) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        try {
            Path dir = Files.createTempDirectory("ksf-kpl-");
            Path script = dir.resolve("kpl-aggregate.js");
            try (InputStream in = KplAggregator.class.getResourceAsStream("kpl-aggregate.js")) {
                Files.copy(in, script);
            }
            StringBuilder input = new StringBuilder();
            for (List<Entry> group : groups) {
                List<Map<String, String>> records = new ArrayList<>();
                for (Entry entry : group) {
                    Map<String, String> record = new LinkedHashMap<>();
                    record.put("partitionKey", entry.partitionKey());
                    if (entry.explicitHashKey() != null) {
                        record.put("explicitHashKey", entry.explicitHashKey());
                    }
                    record.put("data", Base64.getEncoder().encodeToString(entry.data()));
                    records.add(record);
                }
                input.append(JSON.writeValueAsString(records)).append('\n');
            }
            Path in = dir.resolve("in.jsonl");
            Path out = dir.resolve("out.jsonl");
            Files.writeString(in, input);
            ProcessBuilder builder = new ProcessBuilder("node", script.toString()).redirectInput(in.toFile())
                    .redirectOutput(out.toFile()).redirectError(dir.resolve("err.log").toFile());
            builder.environment().put("NODE_PATH", nodeModules().toAbsolutePath().toString());
            Process node = builder.start();
            if (!node.waitFor(2, TimeUnit.MINUTES) || node.exitValue() != 0) {
                node.destroyForcibly();
                throw new IllegalStateException("aws-kinesis-agg failed: " + Files.readString(dir.resolve("err.log")));
            }
            List<Entry> aggregates = new ArrayList<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                JsonNode aggregate = JSON.readTree(line);
                aggregates.add(new Entry(aggregate.get("partitionKey").asText(), aggregate.hasNonNull("explicitHashKey")
                        ? aggregate.get("explicitHashKey").asText() : null,
                        Base64.getDecoder().decode(aggregate.get("data").asText())));
            }
            return aggregates;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
