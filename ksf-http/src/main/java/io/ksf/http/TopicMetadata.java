package io.ksf.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksf.http.RestProxy.Answer;
import io.ksf.http.RestProxy.ErrorCode;
import io.ksf.spi.KsfException;
import io.ksf.spi.SupportsTopicMetadata;
import io.ksf.spi.SupportsTopicMetadata.Partition;
import io.ksf.spi.SupportsTopicMetadata.Topic;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * REST Proxy's metadata calls (v2 {@code GET /topics[/{name}[/partitions[/{p}]]]}, v3 {@code GET /v3/clusters[/{id}
 * [/topics[/{name}]]]}), limited to the topics clients may post to. With a Kafka target they describe its cluster,
 * each answer kept for {@link #FRESH}; otherwise the allowed topics are this source's, one partition each (its
 * {@code partition}), under the {@code cluster.id} option.
 */
final class TopicMetadata {
    static final Duration FRESH = Duration.ofSeconds(5);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern V2 = Pattern.compile("/topics/?|/topics/([^/]+)(/partitions(?:/(\\d{1,9}))?)?/?");
    private static final Pattern V3 = Pattern.compile("/v3/clusters/?|/v3/clusters/([^/]+)(/topics(?:/([^/]+))?)?/?");

    private final HttpSourceSettings settings;
    private final SupportsTopicMetadata cluster;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Object value, long expiresNanos) {
    }

    /** @param cluster the target's topics, or null when the target is not Kafka */
    TopicMetadata(HttpSourceSettings settings, SupportsTopicMetadata cluster) {
        this.settings = settings;
        this.cluster = cluster;
    }

    /** Whether this is a metadata path (answered by {@link #answer}). */
    static boolean matches(String path) {
        return V2.matcher(path).matches() || V3.matcher(path).matches();
    }

    /** The answer to a GET of a metadata path; {@code base} is the scheme and authority the client used. */
    Answer answer(String path, String base) {
        boolean v3 = path.startsWith("/v3/");
        try {
            return v3 ? v3(V3.matcher(path), base) : v2(V2.matcher(path));
        } catch (KsfException e) {
            return Answer.error(ErrorCode.CLUSTER_ERROR, e.getMessage(), v3);
        }
    }

    private Answer v2(Matcher path) {
        path.matches();
        String name = path.group(1);
        if (name == null) {
            return json(false, MAPPER.valueToTree(topicNames()));
        }
        Topic topic = topic(name);
        if (topic == null) {
            return Answer.error(ErrorCode.TOPIC_NOT_FOUND, "Topic not found.", false);
        }
        if (path.group(2) == null) {
            ObjectNode body = MAPPER.createObjectNode().put("name", topic.name());
            body.set("configs", MAPPER.valueToTree(topic.configs()));
            body.set("partitions", v2Partitions(topic.partitions()));
            return json(false, body);
        }
        if (path.group(3) == null) {
            return json(false, v2Partitions(topic.partitions()));
        }
        int number = Integer.parseInt(path.group(3));
        return topic.partitions().stream().filter(p -> p.partition() == number).findFirst()
                .map(p -> json(false, v2Partition(p)))
                .orElseGet(() -> Answer.error(ErrorCode.PARTITION_NOT_FOUND, "Partition not found.", false));
    }

    private static ArrayNode v2Partitions(List<Partition> partitions) {
        ArrayNode list = MAPPER.createArrayNode();
        partitions.forEach(p -> list.add(v2Partition(p)));
        return list;
    }

    private static ObjectNode v2Partition(Partition partition) {
        ObjectNode node = MAPPER.createObjectNode().put("partition", partition.partition())
                .put("leader", partition.leader());
        ArrayNode replicas = node.putArray("replicas");
        for (int broker : partition.replicas()) {
            replicas.addObject().put("broker", broker).put("leader", broker == partition.leader())
                    .put("in_sync", partition.inSync().contains(broker));
        }
        return node;
    }

    private Answer v3(Matcher path, String base) {
        path.matches();
        String clusterId = clusterId();
        String clusters = base + "/v3/clusters";
        String id = path.group(1);
        if (id == null) {
            ObjectNode list = collection("KafkaClusterList", clusters);
            list.putArray("data").add(v3Cluster(clusterId, clusters));
            return json(true, list);
        }
        if (!id.equals(clusterId)) {
            return Answer.error(ErrorCode.NOT_FOUND, "Cluster " + id + " cannot be found.", true);
        }
        if (path.group(2) == null) {
            return json(true, v3Cluster(clusterId, clusters));
        }
        String topics = clusters + "/" + clusterId + "/topics";
        String name = path.group(3);
        if (name == null) {
            ObjectNode list = collection("KafkaTopicList", topics);
            ArrayNode data = list.putArray("data");
            for (String each : topicNames()) {
                Topic topic = topic(each);
                if (topic != null) {
                    data.add(v3Topic(clusterId, topic, topics));
                }
            }
            return json(true, list);
        }
        Topic topic = topic(name);
        return topic == null ? Answer.error(ErrorCode.TOPIC_PARTITION_NOT_FOUND,
                "This server does not host this topic-partition.", true)
                : json(true, v3Topic(clusterId, topic, topics));
    }

    private static ObjectNode collection(String kind, String self) {
        ObjectNode node = MAPPER.createObjectNode().put("kind", kind);
        node.putObject("metadata").put("self", self).putNull("next");
        return node;
    }

    private static ObjectNode v3Cluster(String clusterId, String clusters) {
        String self = clusters + "/" + clusterId;
        ObjectNode node = MAPPER.createObjectNode().put("kind", "KafkaCluster");
        node.putObject("metadata").put("self", self).put("resource_name", "crn:///kafka=" + clusterId);
        node.put("cluster_id", clusterId);
        for (String[] related : new String[][] {{"acls", "/acls"}, {"brokers", "/brokers"},
                {"broker_configs", "/broker-configs"}, {"consumer_groups", "/consumer-groups"}, {"topics", "/topics"},
                {"partition_reassignments", "/topics/-/partitions/-/reassignment"}}) {
            node.putObject(related[0]).put("related", self + related[1]);
        }
        return node;
    }

    private static ObjectNode v3Topic(String clusterId, Topic topic, String topics) {
        String self = topics + "/" + topic.name();
        ObjectNode node = MAPPER.createObjectNode().put("kind", "KafkaTopic");
        node.putObject("metadata").put("self", self)
                .put("resource_name", "crn:///kafka=" + clusterId + "/topic=" + topic.name());
        node.put("cluster_id", clusterId).put("topic_name", topic.name()).put("is_internal", topic.internal())
                .put("replication_factor", topic.replicationFactor())
                .put("partitions_count", topic.partitions().size());
        node.putObject("partitions").put("related", self + "/partitions");
        node.putObject("configs").put("related", self + "/configs");
        node.putObject("partition_reassignments").put("related", self + "/partitions/-/reassignment");
        return node;
    }

    /** The allowed topics there are, by name. */
    private Set<String> topicNames() {
        if (cluster == null) {
            return new TreeSet<>(settings.topics());
        }
        Set<String> names = new TreeSet<>(cached("names", () -> cluster.topicNames(ASK_TIMEOUT)));
        names.removeIf(name -> !settings.allows(name));
        return names;
    }

    /** An allowed topic, or null when clients may not post to it or it does not exist. */
    private Topic topic(String name) {
        if (!settings.allows(name)) {
            return null;
        }
        if (cluster == null) {
            return new Topic(name, false, List.of(new Partition(settings.partition(), -1, List.of(), List.of())),
                    Map.of());
        }
        return this.<Optional<Topic>>cached("topic " + name,
                () -> Optional.ofNullable(cluster.describe(name, ASK_TIMEOUT))).orElse(null);
    }

    private String clusterId() {
        return cluster == null ? settings.clusterId() : cached("cluster id", () -> cluster.clusterId(ASK_TIMEOUT));
    }

    @SuppressWarnings("unchecked")
    private <T> T cached(String key, Supplier<T> ask) {
        long now = System.nanoTime();
        Cached entry = cache.get(key);
        if (entry == null || now - entry.expiresNanos() > 0) {
            entry = new Cached(ask.get(), now + FRESH.toNanos());
            cache.put(key, entry);
        }
        return (T) entry.value();
    }

    private static Answer json(boolean v3, JsonNode body) {
        return new Answer(200, v3 ? RestProxy.JSON : RestProxy.V2_RESPONSE, RestProxy.json(body));
    }
}
