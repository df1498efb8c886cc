package io.ksf.kafka;

import io.ksf.spi.KsfException;
import io.ksf.spi.SupportsTopicMetadata;
import io.ksf.spi.SupportsTopicMetadata.Partition;
import io.ksf.spi.SupportsTopicMetadata.Topic;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The kafka target's topics as its cluster describes them, asked with the target's admin client (its
 * {@link TopicDirectory}'s); safe from any thread.
 */
final class ClusterMetadata {
    private final TopicDirectory directory;
    private final String servers;

    ClusterMetadata(TopicDirectory directory, Properties clientProperties) {
        this.directory = directory;
        this.servers = String.valueOf(clientProperties.getOrDefault("bootstrap.servers", ""));
    }

    String clusterId(Duration timeout) {
        return answer(directory.admin().describeCluster().clusterId(), timeout, "the cluster id");
    }

    Set<String> topicNames(Duration timeout) {
        return answer(directory.admin().listTopics(new ListTopicsOptions().listInternal(true)).names(), timeout,
                "the list of topics");
    }

    Topic describe(String topic, Duration timeout) {
        TopicDescription description;
        try {
            description = answer(directory.admin().describeTopics(List.of(topic)).allTopicNames(), timeout,
                    "topic " + topic).get(topic);
        } catch (KsfException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = answer(directory.admin().describeConfigs(List.of(resource)).all(), timeout,
                "the configs of topic " + topic).get(resource);
        Map<String, String> configs = new TreeMap<>();
        for (ConfigEntry entry : config.entries()) {
            if (entry.value() != null && !entry.isSensitive()) {
                configs.put(entry.name(), entry.value());
            }
        }
        List<Partition> partitions = description.partitions().stream().map(p -> new Partition(p.partition(),
                p.leader() == null ? -1 : p.leader().id(), ids(p.replicas()), ids(p.isr()))).toList();
        return new Topic(topic, description.isInternal(), partitions, configs);
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    private <T> T answer(KafkaFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KsfException("the Kafka cluster at " + servers + " did not describe " + what + ": "
                    + KafkaSource.rootMessage(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new KsfException("the Kafka cluster at " + servers + " did not answer within " + timeout.toMillis()
                    + " ms when asked for " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KsfException("interrupted while asking the Kafka cluster at " + servers + " for " + what, e);
        }
    }
}
