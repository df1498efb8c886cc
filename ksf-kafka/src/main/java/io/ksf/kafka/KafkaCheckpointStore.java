package io.ksf.kafka;

import io.ksf.checkpoint.CheckpointStore;
import io.ksf.spi.KsfException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Checkpoints in a compacted Kafka topic with one partition per shard, the shard's checkpoint keyed
 * {@code shard-<n>}; and the shards shared among the instances of a pipeline by Kafka's group protocol: every
 * instance joins one consumer group on the topic, and the partitions assigned to it are the shards it owns. The
 * group's consumer never fetches (its partitions stay paused); it only keeps the membership, so a killed instance's
 * shards move to the others after the session timeout, and a new instance takes its share at the next rebalance.
 * A shard's checkpoint is read, up to the end of its partition, when the shard is assigned.
 */
public final class KafkaCheckpointStore implements CheckpointStore {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Longer than a killed instance's transaction may stay open (transaction.timeout.ms: 10 s in KSF's target). */
    private static final Duration PENDING_TIMEOUT = Duration.ofMinutes(2);

    private final Properties properties;
    private final String topic;
    private final int shards;
    private final String groupId;
    private KafkaConsumer<byte[], byte[]> group;
    private KafkaProducer<byte[], byte[]> producer;

    /**
     * @param properties the Kafka client properties of the topic's cluster
     * @param topic      the compacted topic, created with {@code shards} partitions when missing
     * @param shards     how many shards (partitions) the checkpoints are spread over
     * @param groupId    the consumer group that shares the shards among the instances of a pipeline
     */
    public KafkaCheckpointStore(Properties properties, String topic, int shards, String groupId) {
        this.properties = properties;
        this.topic = topic;
        this.shards = shards;
        this.groupId = groupId;
    }

    @Override
    public int shards() {
        return shards;
    }

    @Override
    public void open(ShardListener listener) {
        ensureTopic();
        Properties producerProperties = new Properties();
        producerProperties.putAll(properties);
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer());
        group = new KafkaConsumer<>(consumerProperties(groupId), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        group.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                group.pause(partitions); // the group only assigns shards; checkpoints are read by readLatest
                if (!partitions.isEmpty()) {
                    listener.onAssigned(shardsOf(partitions));
                }
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    listener.onRevoked(shardsOf(partitions));
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    listener.onLost(shardsOf(partitions));
                }
            }
        });
    }

    private static Set<Integer> shardsOf(Collection<TopicPartition> partitions) {
        Set<Integer> shards = new TreeSet<>();
        partitions.forEach(p -> shards.add(p.partition()));
        return shards;
    }

    private Properties consumerProperties(String group) {
        Properties consumer = new Properties();
        consumer.putAll(properties);
        if (group != null) {
            consumer.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return consumer;
    }

    /** Creates the checkpoint topic when it is missing (it is KSF's state); refuses one with another shard count. */
    private void ensureTopic() {
        try (Admin admin = Admin.create(properties)) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                if (description.partitions().size() != shards) {
                    throw new KsfException("the checkpoint topic " + topic + " has " + description.partitions().size()
                            + " partitions, and checkpoint.shards is " + shards + "; they must be equal, since a key's "
                            + "shard is its hash modulo the shard count");
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                int brokers = admin.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
                NewTopic newTopic = new NewTopic(topic, shards, (short) Math.min(3, brokers))
                        .configs(Map.of("cleanup.policy", "compact"));
                try {
                    admin.createTopics(List.of(newTopic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException created) {
                    if (!(created.getCause() instanceof TopicExistsException)) {
                        throw created; // another instance created it at the same moment: fine
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new KsfException("cannot describe or create the checkpoint topic " + topic + " at "
                    + properties.get("bootstrap.servers") + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KsfException("interrupted while checking the checkpoint topic " + topic, e);
        }
    }

    /** Keeps the membership; rebalances reach the listener inside this call. */
    @Override
    public void poll() {
        group.poll(Duration.ZERO);
    }

    /**
     * The last checkpoint of the shard: its partition read to the end, committed records only, once no transaction
     * is pending on it. A transaction that an instance killed a moment ago asked to commit may still be completing
     * (its data and checkpoint stored, the markers not yet written); reading before it ends would miss its checkpoint
     * and read its records again. So the read waits until the last stable offset reaches the log's end.
     */
    @Override
    public byte[] load(int shard) {
        return read(shard, true);
    }

    /** The last checkpoint committed, up to the last stable offset: another instance's open transaction is not awaited. */
    @Override
    public byte[] peek(int shard) {
        return read(shard, false);
    }

    private byte[] read(int shard, boolean waitForPending) {
        TopicPartition partition = new TopicPartition(topic, shard);
        byte[] latest = null;
        Properties uncommitted = consumerProperties(null);
        uncommitted.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(consumerProperties(null),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaConsumer<byte[], byte[]> logEnd = new KafkaConsumer<>(uncommitted, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + PENDING_TIMEOUT.toNanos();
            long end = reader.endOffsets(List.of(partition), TIMEOUT).get(partition); // the last stable offset
            while (waitForPending && end < logEnd.endOffsets(List.of(partition), TIMEOUT).get(partition)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new KsfException("a transaction on the checkpoint of shard " + shard + " in " + topic
                            + " is still pending after " + PENDING_TIMEOUT + "; cannot tell where to resume");
                }
                LockSupport.parkNanos(200_000_000L);
                end = reader.endOffsets(List.of(partition), TIMEOUT).get(partition);
            }
            while (reader.position(partition, TIMEOUT) < end) {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    latest = record.value();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new KsfException("cannot read the checkpoint of shard " + shard + " from " + topic
                            + " within " + PENDING_TIMEOUT);
                }
            }
        }
        return latest;
    }

    @Override
    public void save(int shard, byte[] checkpoint) {
        saveAll(Map.of(shard, checkpoint));
    }

    @Override
    public void saveAll(Map<Integer, byte[]> checkpoints) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        checkpoints.forEach((shard, checkpoint) -> sent.add(producer.send(record(shard, checkpoint))));
        try {
            for (Future<RecordMetadata> future : sent) {
                future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new KsfException("cannot write a checkpoint to " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KsfException("interrupted while writing a checkpoint to " + topic, e);
        }
    }

    /** The record that holds a shard's checkpoint, for the kafka target to send in a transaction. */
    public ProducerRecord<byte[], byte[]> record(int shard, byte[] checkpoint) {
        return new ProducerRecord<>(topic, shard, ("shard-" + shard).getBytes(StandardCharsets.UTF_8), checkpoint);
    }

    /** The group's metadata, so a transaction that carries checkpoints fences an instance that left the group. */
    public ConsumerGroupMetadata groupMetadata() {
        return group.groupMetadata();
    }

    /** The shards' partitions at offset 0: committed in a transaction, they make the group fence a zombie. */
    public Map<TopicPartition, OffsetAndMetadata> fencingOffsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        group.assignment().forEach(partition -> offsets.put(partition, new OffsetAndMetadata(0)));
        return offsets;
    }

    /** The Kafka client properties of the checkpoint topic's cluster. */
    public Properties properties() {
        return properties;
    }

    @Override
    public String describe() {
        return "topic " + topic + " (group " + groupId + ")";
    }

    @Override
    public void close() {
        if (group != null) {
            group.close(Duration.ofSeconds(5));
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
