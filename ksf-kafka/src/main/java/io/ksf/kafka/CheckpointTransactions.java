package io.ksf.kafka;

import io.ksf.checkpoint.CheckpointedSource;
import io.ksf.spi.KsfException;
import io.ksf.spi.Positions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Exactly once for a source whose checkpoints a {@link KafkaCheckpointStore} keeps (the s3 and kinesis sources): the
 * transaction goes to the store's cluster, carries the metadata of the store's group, and commits the group's shards
 * at offset 0, so that the group fences an instance that has left it; the checkpoints travel as records of the
 * store's topic.
 */
final class CheckpointTransactions implements TransactionalPositions {
    private final CheckpointedSource source;
    private final KafkaCheckpointStore store;

    private CheckpointTransactions(CheckpointedSource source, KafkaCheckpointStore store) {
        this.source = source;
        this.store = store;
    }

    /** The transactions of this source; an error that says so when it keeps its checkpoints elsewhere. */
    static CheckpointTransactions of(CheckpointedSource source) {
        if (source.checkpointStore() instanceof KafkaCheckpointStore kafka) {
            return new CheckpointTransactions(source, kafka);
        }
        throw new KsfException("exactly.once with a " + source.getClass().getSimpleName() + " needs its checkpoint "
                + "in Kafka (checkpoint kafka, on the target's cluster), found "
                + source.checkpointStore().describe());
    }

    @Override
    public Properties positionsCluster() {
        return store.properties();
    }

    @Override
    public ConsumerGroupMetadata groupMetadata() {
        return store.groupMetadata();
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> offsets(Positions positions) {
        return store.fencingOffsets();
    }

    @Override
    public List<ProducerRecord<byte[], byte[]>> records(Positions positions) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        source.checkpoints(positions).forEach((shard, checkpoint) -> records.add(store.record(shard, checkpoint)));
        return records;
    }
}
