package io.ksf.kafka;

import io.ksf.spi.KsfException;
import io.ksf.spi.Positions;
import io.ksf.spi.SupportsTransactionalState;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Exactly once for a source whose own state travels with the data ({@link SupportsTransactionalState}, the http
 * source's Idempotency-Key answers): each transaction carries the state records of the positions it commits, and
 * at bind time the committed state of the last {@code stateWindow} is read back (read_committed) and handed to the
 * source. There is no consumer group: nothing else is committed, and each instance's records are its own.
 */
final class StateTransactions implements TransactionalPositions {
    private static final Logger LOG = LoggerFactory.getLogger(StateTransactions.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final SupportsTransactionalState source;
    private final Properties cluster;

    private StateTransactions(SupportsTransactionalState source, Properties cluster) {
        this.source = source;
        this.cluster = cluster;
    }

    /** Reads the committed state back into the source, and writes it with each transaction from now on. */
    static StateTransactions bind(SupportsTransactionalState source, Properties targetProperties) {
        StateTransactions transactions = new StateTransactions(source, targetProperties);
        source.restore(transactions.readState());
        return transactions;
    }

    private Map<String, byte[]> readState() {
        String topic = source.stateTopic();
        Properties props = KafkaChecks.adminProperties(cluster, READ_TIMEOUT); // the connection, not the producer's
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        Map<String, byte[]> state = new LinkedHashMap<>();
        long started = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, READ_TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                throw new KsfException("the state topic " + topic + " does not exist on the Kafka cluster at "
                        + cluster.getProperty("bootstrap.servers") + " (KSF does not create topics; create it "
                        + "compacted)");
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(assigned);
            Map<TopicPartition, Long> since = new HashMap<>();
            long from = System.currentTimeMillis() - source.stateWindow().toMillis();
            assigned.forEach(tp -> since.put(tp, from));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(since, READ_TIMEOUT);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, READ_TIMEOUT);
            for (TopicPartition tp : assigned) {
                OffsetAndTimestamp start = starts.get(tp);
                consumer.seek(tp, start == null ? ends.get(tp) : start.offset());
            }
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (assigned.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new KsfException("reading the state topic " + topic + " took longer than "
                            + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String key = new String(record.key(), StandardCharsets.UTF_8);
                    state.remove(key); // the last value of a key counts, in its place
                    if (record.value() != null) {
                        state.put(key, record.value());
                    }
                }
            }
        } catch (KafkaException e) {
            throw new KsfException("cannot read the state topic " + topic + " at "
                    + cluster.getProperty("bootstrap.servers") + ": " + KafkaSource.rootMessage(e), e);
        }
        LOG.info("kafka target: read {} state records of the last {} from {} in {} ms", state.size(),
                source.stateWindow(), topic, (System.nanoTime() - started) / 1_000_000);
        return state;
    }

    @Override
    public Properties positionsCluster() {
        return cluster;
    }

    /** No group: nothing fences but each run's own transactional id. */
    @Override
    public ConsumerGroupMetadata groupMetadata() {
        return null;
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> offsets(Positions positions) {
        return Map.of();
    }

    @Override
    public List<ProducerRecord<byte[], byte[]>> records(Positions positions) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        source.state(positions).forEach((key, value) -> records.add(new ProducerRecord<>(source.stateTopic(),
                key.getBytes(StandardCharsets.UTF_8), value)));
        return records;
    }
}
