package io.ksf.kafka;

import io.ksf.checkpoint.CheckpointStore;
import io.ksf.checkpoint.CheckpointStoreFactory;

import java.util.Properties;

/** {@code checkpoint kafka}: a {@link KafkaCheckpointStore}, a compacted topic shared through a consumer group. */
public final class KafkaCheckpointStoreFactory implements CheckpointStoreFactory {
    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public CheckpointStore create(Properties cluster, String where, int shards, String group) {
        return new KafkaCheckpointStore(cluster, where, shards, group);
    }
}
