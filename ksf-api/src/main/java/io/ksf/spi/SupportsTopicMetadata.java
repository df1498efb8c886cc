package io.ksf.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A target that can describe the topics it writes to: the kafka target, from its cluster's metadata. The runtime
 * hands it to the source through {@link SourceContext#targetTopics()}, for a source that answers its clients about
 * topics (the http source's REST Proxy metadata calls). Each method may ask the server; each throws a
 * {@link KsfException} that names the server when it does not answer within the timeout.
 */
public interface SupportsTopicMetadata {

    /** The id of the cluster the topics are on. */
    String clusterId(Duration timeout);

    /** The names of the topics there are (those this client may see). */
    Set<String> topicNames(Duration timeout);

    /** This topic, or null when there is no such topic. */
    Topic describe(String topic, Duration timeout);

    /**
     * A topic: its partitions in order and the configs that are set on it (not defaults).
     *
     * @param name       the topic's name
     * @param internal   whether the cluster keeps it for itself (such as {@code __consumer_offsets})
     * @param partitions the partitions, by number
     * @param configs    the topic's configs set on it or on the cluster
     */
    record Topic(String name, boolean internal, List<Partition> partitions, Map<String, String> configs) {
        /** The number of replicas of its first partition, 0 with none. */
        public int replicationFactor() {
            return partitions.isEmpty() ? 0 : partitions.get(0).replicas().size();
        }
    }

    /**
     * A partition of a topic.
     *
     * @param partition its number
     * @param leader    the leader broker's id, -1 without a leader
     * @param replicas  the ids of the brokers that hold it, the preferred leader first
     * @param inSync    the ids of the replicas in sync
     */
    record Partition(int partition, int leader, List<Integer> replicas, List<Integer> inSync) {
    }
}
