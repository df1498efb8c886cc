package io.ksf.bench;

import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * KSF itself in a child JVM ({@code ksf run} from {@code ksf-cli/target/ksf.jar}), measured exactly as the
 * peers are ({@link ChildPeer}): from its first output until its group has committed the end offsets, with the
 * child's CPU over that span. So the CPU per record of KSF and of a peer compare like for like, without the
 * servers of the harness's JVM or its collector's work for them. It flushes every 30,000 records or every second,
 * as the peers commit every second.
 */
final class KsfChild {
    private KsfChild() {
    }

    /**
     * @param target  the config's target section, as JSON
     * @param mode    sync or async
     * @param started true once the target holds its first output
     */
    static ChildPeer.Result run(EmbeddedKafka kafka, String topic, long records, String group, String target,
                                String mode, BooleanSupplier started) {
        return run(kafka, topic, records, group, """
                {"name": "bench-child",
                 "source": {"type": "kafka", "format": "json", "topics": ["%s"],
                            "properties": {"bootstrap.servers": "%s", "group.id": "%s",
                                           "auto.offset.reset": "earliest", "max.poll.records": "2000"}},
                 "target": %s,
                 "pipeline": {"mode": "%s", "flush.records": 30000, "flush.bytes": "64MiB",
                              "flush.interval": "1s"}}
                """.formatted(topic, kafka.bootstrapServers(), group, target, mode), started);
    }

    /**
     * {@code ksf run} of a whole config, timed until {@code group} has committed the end offsets of {@code topic}.
     *
     * @param config the pipeline config, as JSON
     */
    static ChildPeer.Result run(EmbeddedKafka kafka, String topic, long records, String group, String config,
                                BooleanSupplier started) {
        Path jar = Path.of("ksf-cli/target/ksf.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run benchmarks/e2e.sh, which builds it");
        }
        try {
            Path dir = Files.createTempDirectory("ksf-child-");
            Path file = dir.resolve("pipeline.json");
            Files.writeString(file, config);
            return ChildPeer.run("ksf", jar.toAbsolutePath().toString(), List.of(
                    "-Daws.accessKeyId=" + EmbeddedS3.ACCESS_KEY, "-Daws.secretAccessKey=" + EmbeddedS3.SECRET_KEY,
                    "io.ksf.cli.KsfCommand", "run", "--config", file.toString(), "--http-port", "0"),
                    dir, kafka, group, topic, records, started, () -> true, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
