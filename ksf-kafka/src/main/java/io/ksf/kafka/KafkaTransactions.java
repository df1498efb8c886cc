package io.ksf.kafka;

import io.ksf.checkpoint.CheckpointedSource;
import io.ksf.spi.KsfException;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SupportsTransactionalState;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The kafka target's transactions with exactly-once: each flush's records in one transaction, committed together
 * with the source's positions (the consumer group's offsets, or the checkpoint records of a source that keeps them
 * in a topic). Used on the target's thread only.
 */
final class KafkaTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTarget.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final Properties properties;
    private final boolean enabled;
    private TransactionalPositions source;
    private boolean ready;
    private boolean inTransaction;

    KafkaTransactions(KafkaProducer<byte[], byte[]> producer, Properties properties, boolean enabled) {
        this.producer = producer;
        this.properties = properties;
        this.enabled = enabled;
    }

    /**
     * Binds the transactions to the source whose positions they carry.
     *
     * @throws KsfException when the source's positions cannot travel in this producer's transactions
     */
    void bind(Source source) {
        TransactionalPositions transactional;
        if (source instanceof TransactionalPositions positions) {
            transactional = positions;
        } else if (source instanceof CheckpointedSource checkpointed) {
            transactional = CheckpointTransactions.of(checkpointed);
        } else if (source instanceof SupportsTransactionalState state && state.stateTopic() != null) {
            transactional = StateTransactions.bind(state, properties);
        } else {
            throw new KsfException("exactly.once on the kafka target needs a kafka source, an s3 or kinesis source "
                    + "with checkpoint kafka, or an http source with idempotency.topic, found "
                    + source.getClass().getSimpleName()
                    + "; without it, delivery is at least once");
        }
        Properties consumer = transactional.positionsCluster();
        if ("read_uncommitted".equals(consumer.getProperty("isolation.level"))) {
            throw new KsfException("exactly.once needs the source's isolation.level read_committed, found "
                    + "read_uncommitted");
        }
        Set<String> sourceServers = servers(consumer);
        Set<String> targetServers = servers(properties);
        if (!sourceServers.equals(targetServers)) {
            throw new KsfException("exactly.once needs the source's positions and the target on one Kafka cluster: "
                    + "the source's bootstrap.servers are " + sourceServers + ", the target's " + targetServers);
        }
        this.source = transactional;
    }

    private static Set<String> servers(Properties props) {
        Set<String> servers = new HashSet<>();
        for (String server : String.valueOf(props.getOrDefault("bootstrap.servers", "")).split(",")) {
            servers.add(server.trim());
        }
        return servers;
    }

    /** Commits the open transaction with the source's positions in it (offsets, or checkpoint records). */
    void commit(Positions positions) {
        if (source == null) {
            throw new IllegalStateException("commit(Positions) without exactly-once");
        }
        beginIfNeeded();
        Map<TopicPartition, OffsetAndMetadata> offsets = source.offsets(positions);
        try {
            for (ProducerRecord<byte[], byte[]> record : source.records(positions)) {
                producer.send(record);
            }
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, source.groupMetadata());
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    producer.commitTransaction();
                    break;
                } catch (TimeoutException e) {
                    if (attempt == 3) {
                        throw e;
                    }
                    LOG.warn("committing the transaction timed out (attempt {}), trying again", attempt);
                }
            }
            inTransaction = false;
        } catch (KafkaException e) {
            abort();
            throw new KsfException("the exactly-once commit of " + positions + " failed, so the transaction was "
                    + "aborted and nothing of it is visible; a restart resumes at the last committed offsets: "
                    + KafkaSource.rootMessage(e), e);
        }
    }

    /** Opens a transaction unless one is open (nothing without exactly-once). */
    void beginIfNeeded() {
        if (!enabled || inTransaction) {
            return;
        }
        try {
            if (!ready) {
                producer.initTransactions();
                ready = true;
            }
            producer.beginTransaction();
            inTransaction = true;
        } catch (KafkaException e) {
            throw new KsfException("cannot start a Kafka transaction (transactional.id "
                    + properties.getProperty("transactional.id") + "): " + KafkaSource.rootMessage(e), e);
        }
    }

    /** Aborts the open transaction, if any: nothing sent in it becomes visible. */
    void abort() {
        if (!inTransaction) {
            return;
        }
        inTransaction = false;
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.warn("aborting the Kafka transaction failed: {}", KafkaSource.rootMessage(e));
        }
    }
}
