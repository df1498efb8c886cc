package io.ksf.kafka;

import io.ksf.spi.KsfException;
import io.ksf.spi.SupportsTopicMetadata;
import io.ksf.spi.SupportsTopicMetadata.Partition;
import io.ksf.spi.SupportsTopicMetadata.Topic;
import org.apache.kafka.clients.admin.Admin;
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
 * The kafka target's topics as its cluster describes them, asked with an admin client of the producer's settings
 * (created on the first question, safe from any thread).
 */
final class ClusterMetadata implements AutoCloseable {
    private final Properties clientProperties;
    private final String servers;
    private volatile Admin admin;

    ClusterMetadata(Properties clientProperties) {
        this.clientProperties = clientProperties;
        this.servers = String.valueOf(clientProperties.getOrDefault("bootstrap.servers", ""));
    }

    String clusterId(Duration timeout) {
        return answer(admin(timeout).describeCluster().clusterId(), timeout, "the cluster id");
    }

    Set<String> topicNames(Duration timeout) {
        return answer(admin(timeout).listTopics(new ListTopicsOptions().listInternal(true)).names(), timeout,
                "the list of topics");
    }

    Topic describe(String topic, Duration timeout) {
        TopicDescription description;
        try {
            description = answer(admin(timeout).describeTopics(List.of(topic)).allTopicNames(), timeout,
                    "topic " + topic).get(topic);
        } catch (KsfException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = answer(admin(timeout).describeConfigs(List.of(resource)).all(), timeout,
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

    private synchronized Admin admin(Duration timeout) {
        if (admin == null) {
            admin = Admin.create(KafkaChecks.adminProperties(clientProperties, timeout));
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
