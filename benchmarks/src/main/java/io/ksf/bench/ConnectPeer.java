package io.ksf.bench;

import io.ksf.testkit.EmbeddedKafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** A Kafka Connect standalone worker with one connector, as a {@link ChildPeer}. */
final class ConnectPeer {
    private ConnectPeer() {
    }

    /**
     * @param connector connector properties (name, connector.class, topics and its own keys)
     * @param started   true once the sink holds its first record
     */
    static ChildPeer.Result run(EmbeddedKafka kafka, String topic, long records, Properties connector,
                                BooleanSupplier started) {
        return run(kafka, topic, records, connector, "connect-" + connector.getProperty("name"), started, () -> true,
                null);
    }

    /**
     * A source connector, which commits no consumer group: timed until it has stored every record.
     *
     * @param stored   the records stored so far
     */
    static ChildPeer.Result runSource(EmbeddedKafka kafka, String topic, long records, Properties connector,
                                      BooleanSupplier started, LongSupplier stored) {
        return run(kafka, topic, records, connector, null, started, () -> stored.getAsLong() >= records, stored);
    }

    private static ChildPeer.Result run(EmbeddedKafka kafka, String topic, long records, Properties connector,
                                        String group, BooleanSupplier started, BooleanSupplier finished,
                                        LongSupplier stored) {
        try {
            Path dir = Files.createTempDirectory("ksf-connect-peer-");
            Properties worker = new Properties();
            worker.put("bootstrap.servers", kafka.bootstrapServers());
            worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
            worker.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
            worker.put("offset.storage.file.filename", dir.resolve("offsets").toString());
            worker.put("offset.flush.interval.ms", "1000");
            worker.put("listeners", "http://127.0.0.1:" + freePort());
            // throughput settings from the Connect documentation: bigger polls and fetches
            worker.put("consumer.max.poll.records", "2000");
            worker.put("consumer.fetch.min.bytes", "65536");
            worker.put("consumer.auto.offset.reset", "earliest");
            Path workerFile = dir.resolve("worker.properties");
            Path connectorFile = dir.resolve("connector.properties");
            try (var out = Files.newOutputStream(workerFile)) {
                worker.store(out, "KSF benchmark peer");
            }
            try (var out = Files.newOutputStream(connectorFile)) {
                connector.store(out, "KSF benchmark peer");
            }
            return ChildPeer.run("connect", ChildPeer.classPath("connect").toAbsolutePath() + "/*", List.of(
                    "org.apache.kafka.connect.cli.ConnectStandalone", workerFile.toString(), connectorFile.toString()),
                    dir, kafka, group, topic, records, started, finished, stored);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
