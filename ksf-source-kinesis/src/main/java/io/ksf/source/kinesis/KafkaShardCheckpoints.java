package io.ksf.source.kinesis;

import io.ksf.spi.KsfException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checkpoints in a compacted Kafka topic, one record per shard keyed {@code <stream>/<shard id>}: for a Kinesis ->
 * Kafka pipeline, the kafka target with {@code exactly.once} writes them inside each flush's transaction.
 */
final class KafkaShardCheckpoints implements ShardCheckpointStore {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Properties properties;
    private final String topic;
    private final String stream;
    private KafkaProducer<byte[], byte[]> producer;

    KafkaShardCheckpoints(Properties properties, String topic, String stream) {
        this.properties = properties;
        this.topic = topic;
        this.stream = stream;
    }

    /** The cluster's client properties, which the kafka target must share for exactly once. */
    Properties properties() {
        return properties;
    }

    @Override
    public Map<String, ShardCheckpoint> load() {
        ensureTopic();
        Properties consumer = new Properties();
        consumer.putAll(properties);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, ShardCheckpoint> checkpoints = new HashMap<>();
        String prefix = stream + "/";
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            // read_committed stops at the last stable offset: wait for a pending transaction to end first
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            Map<TopicPartition, Long> ends = reader.endOffsets(partitions, TIMEOUT);
            while (partitions.stream().anyMatch(p -> reader.position(p, TIMEOUT) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new KsfException("the checkpoints in " + describe() + " could not be read to their end "
                            + "within 2 minutes (a transaction left open?)");
                }
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
                    if (key.startsWith(prefix) && record.value() != null) {
                        checkpoints.put(key.substring(prefix.length()),
                                ShardCheckpointStore.decode(record.value(), describe() + " key " + key));
                    }
                }
            }
        }
        return checkpoints;
    }

    /** The record that stores a shard's checkpoint. */
    ProducerRecord<byte[], byte[]> record(String shardId, ShardCheckpoint checkpoint) {
        return new ProducerRecord<>(topic, (stream + "/" + shardId).getBytes(StandardCharsets.UTF_8),
                ShardCheckpointStore.encode(checkpoint));
    }

    @Override
    public void save(Map<String, ShardCheckpoint> checkpoints) {
        if (producer == null) {
            Properties props = new Properties();
            props.putAll(properties);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
        try {
            for (Map.Entry<String, ShardCheckpoint> entry : checkpoints.entrySet()) {
                producer.send(record(entry.getKey(), entry.getValue())).get(TIMEOUT.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new KsfException("cannot write checkpoints to " + describe() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KsfException("interrupted writing checkpoints to " + describe(), e);
        }
    }

    private void ensureTopic() {
        try (Admin admin = Admin.create(properties)) {
            if (admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                return;
            }
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1)
                            .configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KsfException("cannot create the checkpoint topic " + describe() + ": "
                        + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new KsfException("the Kafka cluster of " + describe() + " did not answer within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KsfException("interrupted creating " + describe(), e);
        }
    }

    @Override
    public String describe() {
        return "topic " + topic + " on " + properties.getProperty("bootstrap.servers");
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
