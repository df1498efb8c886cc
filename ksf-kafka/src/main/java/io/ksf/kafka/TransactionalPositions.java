package io.ksf.kafka;

import io.ksf.spi.Positions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A source whose positions a Kafka cluster stores, so that the {@code kafka} target can commit them inside the
 * transaction of each flush (exactly once): a Kafka source's group offsets, or the checkpoint records of a source
 * that keeps its checkpoints in a topic. The group's metadata fences an instance that has left the group.
 */
public interface TransactionalPositions {

    /** The Kafka client properties of the cluster that stores the positions; it must be the target's. */
    Properties positionsCluster();

    /** The metadata of the group whose generation fences a zombie's transaction. */
    ConsumerGroupMetadata groupMetadata();

    /** Group offsets to commit with the transaction. */
    Map<TopicPartition, OffsetAndMetadata> offsets(Positions positions);

    /**
     * Records that store these positions, sent inside the transaction. The source takes the positions as committed
     * when it hands these over: if the transaction then fails, the pipeline stops and a restart reads what was
     * committed.
     */
    List<ProducerRecord<byte[], byte[]>> records(Positions positions);
}
