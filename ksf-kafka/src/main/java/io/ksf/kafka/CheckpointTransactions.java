package io.ksf.kafka;

import io.ksf.spi.Positions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.Properties;

/**
 * Exactly once for a source whose checkpoints a {@link KafkaCheckpointStore} keeps (the s3 and kinesis sources): the
 * transaction goes to the store's cluster, carries the metadata of the store's group, and commits the group's shards
 * at offset 0, so that the group fences an instance that has left it. The source gives the store and the records.
 */
public interface CheckpointTransactions extends TransactionalPositions {

    /** The store that keeps the checkpoints; throws, saying so, when they are kept elsewhere. */
    KafkaCheckpointStore kafkaCheckpoints();

    @Override
    default Properties positionsCluster() {
        return kafkaCheckpoints().properties();
    }

    @Override
    default ConsumerGroupMetadata groupMetadata() {
        return kafkaCheckpoints().groupMetadata();
    }

    @Override
    default Map<TopicPartition, OffsetAndMetadata> offsets(Positions positions) {
        return kafkaCheckpoints().fencingOffsets();
    }
}
