package io.ksf.http;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the {@code http} source listens and what it takes.
 *
 * @param host            the address to listen on, such as {@code 0.0.0.0}
 * @param port            the port (0: any free one)
 * @param topics          topics a client may post to, by name
 * @param topicsRegex     topics a client may post to, by pattern, or null
 * @param partition       the partition this instance's records carry (give each instance its own when their
 *                        records go to the same files or objects)
 * @param maxRequestBytes the largest request body; larger ones get 413
 * @param memoryBudget    bytes of records held until durable; beyond it requests get 429
 * @param requestTimeout  how long a request waits for its records to be durable before 503
 * @param idleTimeout     how long a connection may stay silent, mid-request or between requests
 * @param flushInterval   the longest records wait for the target's flush
 * @param maxPollRecords  the most records one poll returns
 * @param maxThreads      the server's threads
 * @param clusterId       the cluster id of v3 metadata answers when the target is not Kafka
 * @param auth            the credentials clients must send, or null for none
 * @param tls             the keystore to serve HTTPS with, or null for plain HTTP
 * @param idempotencyWindow  how long the answer of a request with an {@code Idempotency-Key} is kept for its retries
 * @param idempotencyMaxKeys the most answered Idempotency-Keys kept (the oldest go first)
 * @param idempotencyTopic   the compacted topic where the kafka target with exactly.once keeps those answers in its
 *                           transactions, so that they outlive a restart; null: in memory only
 */
public record HttpSourceSettings(String host, int port, Set<String> topics, Pattern topicsRegex, int partition,
                                 long maxRequestBytes, long memoryBudget, Duration requestTimeout,
                                 Duration idleTimeout, Duration flushInterval, int maxPollRecords, int maxThreads,
                                 String clusterId, Auth auth, Tls tls, Duration idempotencyWindow,
                                 int idempotencyMaxKeys, String idempotencyTopic) {

    /** Copies the topic names. */
    public HttpSourceSettings {
        topics = Set.copyOf(topics);
    }

    /** Settings with Idempotency-Keys kept in memory for an hour, at most 100,000. */
    public HttpSourceSettings(String host, int port, Set<String> topics, Pattern topicsRegex, int partition,
                              long maxRequestBytes, long memoryBudget, Duration requestTimeout, Duration idleTimeout,
                              Duration flushInterval, int maxPollRecords, int maxThreads, String clusterId, Auth auth,
                              Tls tls) {
        this(host, port, topics, topicsRegex, partition, maxRequestBytes, memoryBudget, requestTimeout, idleTimeout,
                flushInterval, maxPollRecords, maxThreads, clusterId, auth, tls, Duration.ofHours(1), 100_000, null);
    }

    /** The defaults for a server on this port taking these topics; change the rest with the record's copies. */
    public static HttpSourceSettings of(int port, List<String> topics) {
        return new HttpSourceSettings("0.0.0.0", port, Set.copyOf(topics), null, 0, 10L << 20, 64L << 20,
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ZERO, 10_000, 200, "ksf", null,
                null);
    }

    /**
     * What clients must send: a bearer token, or a user name and password (basic).
     *
     * @param bearerToken the token of {@code Authorization: Bearer}, or null
     * @param username    the user of {@code Authorization: Basic}, or null
     * @param password    the password of {@code Authorization: Basic}, or null
     */
    public record Auth(String bearerToken, String username, String password) {
        @Override
        public String toString() {
            return bearerToken != null ? "bearer" : "basic (" + username + ")";
        }
    }

    /**
     * The server's certificate and key.
     *
     * @param keystoreLocation the keystore file
     * @param keystorePassword its password
     * @param keystoreType     PKCS12 or JKS
     */
    public record Tls(String keystoreLocation, String keystorePassword, String keystoreType) {
        @Override
        public String toString() {
            return keystoreType + " " + keystoreLocation;
        }
    }

    /** Whether clients may post to a topic. */
    boolean allows(String topic) {
        return topics.contains(topic) || topicsRegex != null && topicsRegex.matcher(topic).matches();
    }

    String describeTopics() {
        return topicsRegex == null ? topics.toString()
                : topics.isEmpty() ? "matching " + topicsRegex : topics + " and those matching " + topicsRegex;
    }
}
