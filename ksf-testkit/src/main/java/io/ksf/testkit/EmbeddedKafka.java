package io.ksf.testkit;

import io.ksf.contract.Wait;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller) in this JVM, on free loopback ports, with
 * helpers to create topics, produce, read and look at committed offsets. Starts in a few seconds.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** The user and password that the SASL/PLAIN listener accepts. */
    public static final String SASL_USER = "ksf";
    public static final String SASL_PASSWORD = "ksf-secret";

    /** The password of the TLS listener's key store and of {@link #trustStore()}. */
    public static final String STORE_PASSWORD = "ksf-store";

    private final Path logDir;
    private final int port;
    private final int saslPort;
    private final int sslPort;
    private final KafkaConfig config;
    private volatile KafkaRaftServer server;
    private final Admin admin;

    private EmbeddedKafka(Path logDir, int port, int saslPort, int sslPort, KafkaConfig config, KafkaRaftServer server) {
        this.config = config;
        this.logDir = logDir;
        this.port = port;
        this.saslPort = saslPort;
        this.sslPort = sslPort;
        this.server = server;
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        this.admin = Admin.create(adminProps);
    }

    /** Formats a temporary log folder and starts a broker on a free loopback port. */
    public static EmbeddedKafka start() {
        try {
            Path logDir = Files.createTempDirectory("ksf-kafka-");
            int[] ports = freePorts(4);
            int port = ports[0];
            int controllerPort = ports[1];
            int saslPort = ports[2];
            int sslPort = ports[3];
            TlsStores.create(logDir, STORE_PASSWORD);
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort
                    + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort + ",SSL://127.0.0.1:" + sslPort);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort
                    + ",SSL://127.0.0.1:" + sslPort);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("listener.security.protocol.map",
                    "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL");
            props.put("listener.name.ssl.ssl.keystore.location", logDir.resolve(TlsStores.KEY_STORE).toString());
            props.put("listener.name.ssl.ssl.keystore.password", STORE_PASSWORD);
            props.put("listener.name.ssl.ssl.keystore.type", "PKCS12");
            props.put("listener.name.ssl.ssl.key.password", STORE_PASSWORD);
            // a listener that really checks credentials, for the auth paths of clients
            props.put("sasl.enabled.mechanisms", "PLAIN");
            props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + SASL_USER + "=\""
                            + SASL_PASSWORD + "\";");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("log.dirs", logDir.toString());
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "1");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("log.cleaner.dedupe.buffer.size", "2097152");
            props.put("num.partitions", "1");
            props.put("auto.create.topics.enable", "false");
            Path config = logDir.resolve("server.properties");
            try (var out = Files.newOutputStream(config)) {
                props.store(out, "KSF embedded broker");
            }
            ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
            int formatted = kafka.tools.StorageTool.execute(new String[]{"format", "-t", Uuid.randomUuid().toString(),
                    "-c", config.toString()}, new PrintStream(formatLog, true, StandardCharsets.UTF_8));
            if (formatted != 0) {
                throw new IllegalStateException("formatting the Kafka log folder failed: " + formatLog);
            }
            KafkaConfig kafkaConfig = KafkaConfig.fromProps(props, false);
            KafkaRaftServer server = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
            server.startup();
            return new EmbeddedKafka(logDir, port, saslPort, sslPort, kafkaConfig, server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the broker, as an outage; {@link #restart()} brings it back on the same ports with the same data. */
    public void stop() {
        server.shutdown();
        server.awaitShutdown();
    }

    /** Starts the broker again after {@link #stop()}. */
    public void restart() {
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
    }

    /** The PLAINTEXT listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SASL_PLAINTEXT listener, mechanism PLAIN, user {@link #SASL_USER} / {@link #SASL_PASSWORD}. */
    public String saslBootstrapServers() {
        return "127.0.0.1:" + saslPort;
    }

    /** The TLS listener; clients trust it through {@link #trustStore()}. */
    public String sslBootstrapServers() {
        return "127.0.0.1:" + sslPort;
    }

    /** A PKCS12 trust store (password {@link #STORE_PASSWORD}) holding the TLS listener's certificate. */
    public Path trustStore() {
        return logDir.resolve(TlsStores.TRUST_STORE);
    }

    /** An admin client of the broker, shared; do not close it. */
    public Admin admin() {
        return admin;
    }

    /** Creates a topic and waits until every partition has a leader, so producers can use it at once. */
    public void createTopic(String topic, int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    /** {@link #createTopic(String, int)} with topic configs, such as {@code max.message.bytes}. */
    public void createTopic(String topic, int partitions, Map<String, String> configs) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get();
            Wait.until(() -> {
                try {
                    return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                            .stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                } catch (InterruptedException | ExecutionException e) {
                    return false;
                }
            }, Duration.ofSeconds(30), "leaders of " + topic);
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + topic, e);
        }
    }

    /** A producer of raw bytes with acks=1: the test broker is one node, so its leader is every replica. Close it. */
    public KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Produces UTF-8 values, round robin over the partitions (value i goes to partition i % partitions). */
    public void produce(String topic, int partitions, List<String> values) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            List<Future<?>> sent = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, null,
                        values.get(i).getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
            for (Future<?> future : sent) {
                future.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    /** Every record of a topic, read from the beginning to the current end offsets. */
    public List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return read(topic, false);
    }

    /**
     * Every record of a topic that a {@code read_committed} consumer sees: records of aborted transactions are
     * skipped, and the read waits while a transaction is still open (up to the same 30 s).
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return read(topic, true);
    }

    private List<ConsumerRecord<byte[], byte[]>> read(String topic, boolean committedOnly) {
        Map<TopicPartition, Long> end = endOffsets(topic);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took more than 30 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The end offset (next offset to be written) of each partition of a topic. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        try {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> request = IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all().get();
            Map<TopicPartition, Long> end = new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
            result.forEach((tp, info) -> end.put(tp, info.offset()));
            return end;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot read end offsets of " + topic, e);
        }
    }

    /** The offsets a consumer group has committed for a topic; partitions without a commit are absent. */
    public Map<TopicPartition, Long> committed(String groupId, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> committed = new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
            offsets.forEach((tp, meta) -> {
                if (tp.topic().equals(topic) && meta != null) {
                    committed.put(tp, meta.offset());
                }
            });
            return committed;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot read committed offsets of " + groupId, e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        server.shutdown();
        server.awaitShutdown();
        deleteQuietly(logDir);
    }

    /** Distinct free loopback ports: each socket stays open until all are chosen, so none is handed out twice. */
    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: the OS cleans what is left
        }
    }
}
