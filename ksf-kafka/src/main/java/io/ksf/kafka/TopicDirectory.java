package io.ksf.kafka;

import io.ksf.spi.RetriableException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which topics exist, asked of the cluster once per name with a bounded wait, so that a record routed to an
 * unknown topic is refused at once instead of blocking a producer for {@code max.block.ms}. A missing topic is
 * asked about again after {@link #RECHECK}, in case it was created meanwhile. KSF never creates topics. It also
 * knows each topic's {@code max.message.bytes}, so a record too large for its topic is refused before it is sent.
 */
final class TopicDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicDirectory.class);
    static final Duration RECHECK = Duration.ofSeconds(30);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    private final Properties clientProperties;
    private final String servers;
    private final Set<String> existing = new HashSet<>();
    private final Map<String, Long> missingSince = new HashMap<>();
    private final Map<String, String> whyMissing = new HashMap<>();
    private final Map<String, Integer> maxMessageBytes = new HashMap<>();
    private Admin admin;

    TopicDirectory(Properties clientProperties) {
        this.clientProperties = clientProperties;
        this.servers = String.valueOf(clientProperties.getOrDefault("bootstrap.servers", ""));
    }

    /** True when the topic is known to exist, without asking the cluster. */
    boolean known(String topic) {
        return existing.contains(topic);
    }

    /**
     * Why records cannot go to this topic, or null when it exists.
     *
     * @throws RetriableException when the cluster does not answer within the lookup timeout
     */
    String problem(String topic) {
        if (existing.contains(topic)) {
            return null;
        }
        Long since = missingSince.get(topic);
        if (since != null && System.nanoTime() - since < RECHECK.toNanos()) {
            return whyMissing.get(topic);
        }
        try {
            admin().describeTopics(List.of(topic)).allTopicNames().get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            maxMessageBytes.put(topic, lookUpMaxMessageBytes(topic));
            existing.add(topic);
            missingSince.remove(topic);
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return missing(topic, "topic " + topic + " does not exist on the Kafka cluster at " + servers
                        + " (KSF does not create topics)");
            }
            if (e.getCause() instanceof TopicAuthorizationException) {
                return missing(topic, "not authorized to describe topic " + topic + " on the Kafka cluster at "
                        + servers);
            }
            throw new RetriableException("cannot look up topic " + topic + " on the Kafka cluster at " + servers + ": "
                    + KafkaSource.rootMessage(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new RetriableException("the Kafka cluster at " + servers + " did not answer within "
                    + LOOKUP_TIMEOUT.toSeconds() + " s when looking up topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("interrupted while looking up topic " + topic, e);
        }
    }

    /** The largest record batch the topic takes, or {@link Integer#MAX_VALUE} when unknown. Known topics only. */
    int maxMessageBytes(String topic) {
        return maxMessageBytes.getOrDefault(topic, Integer.MAX_VALUE);
    }

    /** The topic's max.message.bytes; unknown (and so unchecked) when the cluster does not let us describe it. */
    private int lookUpMaxMessageBytes(String topic) throws InterruptedException {
        try {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            ConfigEntry entry = admin().describeConfigs(List.of(resource)).all()
                    .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource).get("max.message.bytes");
            return entry == null || entry.value() == null ? Integer.MAX_VALUE : Integer.parseInt(entry.value());
        } catch (ExecutionException | TimeoutException | NumberFormatException e) {
            LOG.warn("cannot read max.message.bytes of topic {}; records too large for it are refused by the broker "
                    + "instead: {}", topic, e.toString());
            return Integer.MAX_VALUE;
        }
    }

    private String missing(String topic, String why) {
        missingSince.put(topic, System.nanoTime());
        whyMissing.put(topic, why);
        return why;
    }

    /** The target's one admin client, created on the first question; safe from any thread. */
    synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(KafkaChecks.adminProperties(clientProperties, LOOKUP_TIMEOUT));
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
