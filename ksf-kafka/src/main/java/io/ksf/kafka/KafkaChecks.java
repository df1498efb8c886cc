package io.ksf.kafka;

import io.ksf.spi.Check;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Checks of a Kafka cluster as a client with these properties sees it, shared by the source and the target:
 * each bootstrap server is reachable over TCP; the cluster answers with these security settings; the topics
 * exist and can be described. When the cluster does not answer, a raw request tells what the listener speaks,
 * so the failure names the likely cause (a SASL client on a PLAINTEXT listener, a plaintext client on a TLS one).
 */
final class KafkaChecks {
    private final Properties properties;
    private final Duration timeout;
    private final String servers;

    KafkaChecks(Properties properties, Duration timeout) {
        this.properties = properties;
        this.timeout = timeout;
        this.servers = String.valueOf(properties.getOrDefault("bootstrap.servers", ""));
    }

    /**
     * The cluster checks, then one check per topic (or of the pattern) and one of the consumer group (when
     * {@code group} is not null), which run only if the cluster answers.
     */
    List<Check> run(Collection<String> topics, Pattern pattern, String group) {
        String subject = "kafka " + servers;
        List<Check> checks = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (String server : servers.split(",")) {
            String problem = tcpProblem(server.trim());
            if (problem != null) {
                unreachable.add(problem);
            }
        }
        if (unreachable.size() == servers.split(",").length) {
            checks.add(Check.failed(subject, String.join("; ", unreachable)));
            return checks;
        }
        int millis = (int) Math.max(1_000, timeout.toMillis());
        try (Admin admin = Admin.create(adminProperties(properties, timeout))) {
            int brokers = admin.describeCluster().nodes().get(millis, TimeUnit.MILLISECONDS).size();
            checks.add(Check.passed(subject, "connected and authenticated (" + protocol() + "), " + brokers
                    + " broker(s)"));
            if (pattern != null) {
                List<String> matching = admin.listTopics().names().get(millis, TimeUnit.MILLISECONDS).stream()
                        .filter(name -> pattern.matcher(name).matches()).sorted().toList();
                checks.add(matching.isEmpty()
                        ? Check.failed("topics.regex " + pattern, "no topic matches the pattern")
                        : Check.passed("topics.regex " + pattern, "matches " + matching));
            }
            for (String topic : topics) {
                checks.add(topic(admin, topic, millis));
            }
            if (group != null) {
                checks.add(group(admin, group, millis));
            }
        } catch (ExecutionException e) {
            checks.add(Check.failed(subject, clusterProblem(e.getCause())));
        } catch (TimeoutException e) {
            checks.add(Check.failed(subject, clusterProblem(e)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            checks.add(Check.failed(subject, "interrupted"));
        } catch (RuntimeException e) {
            checks.add(Check.failed(subject, String.valueOf(e.getMessage())));
        }
        return checks;
    }

    private static Check topic(Admin admin, String topic, int millis) throws InterruptedException, TimeoutException {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(millis, TimeUnit.MILLISECONDS).get(topic);
            return Check.passed("topic " + topic, description.partitions().size() + " partition(s)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Check.failed("topic " + topic, "does not exist on the cluster; create it, or fix the name");
            }
            if (e.getCause() instanceof AuthorizationException) {
                return Check.failed("topic " + topic, "not authorized to describe it: " + e.getCause().getMessage());
            }
            return Check.failed("topic " + topic, String.valueOf(e.getCause().getMessage()));
        }
    }

    /** The group's committed offsets can be read, as the consumer reads them when it starts. */
    private static Check group(Admin admin, String group, int millis) throws InterruptedException, TimeoutException {
        try {
            int committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(millis, TimeUnit.MILLISECONDS).size();
            return Check.passed("group " + group, committed == 0 ? "no offsets committed yet"
                    : "offsets committed for " + committed + " partition(s)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                return Check.failed("group " + group, "not authorized to read the group: " + e.getCause().getMessage());
            }
            return Check.failed("group " + group, String.valueOf(e.getCause().getMessage()));
        }
    }

    /** Client-wide settings the admin client shares with consumers and producers (security, timeouts). */
    /** An admin client's properties: the connection and security settings of a client's, each call bounded. */
    static Properties adminProperties(Properties client, Duration timeout) {
        Properties admin = new Properties();
        admin.putAll(client);
        admin.keySet().removeIf(key -> !isClientSetting(key.toString()));
        String millis = Long.toString(Math.max(1_000, timeout.toMillis()));
        admin.put("request.timeout.ms", millis);
        admin.put("default.api.timeout.ms", millis);
        return admin;
    }

    private static boolean isClientSetting(String key) {
        return key.equals("bootstrap.servers") || key.startsWith("security.") || key.startsWith("sasl.")
                || key.startsWith("ssl.") || key.equals("client.dns.lookup") || key.startsWith("socket.")
                || key.startsWith("reconnect.") || key.equals("connections.max.idle.ms");
    }

    private String protocol() {
        return String.valueOf(properties.getOrDefault("security.protocol", "PLAINTEXT"));
    }

    /** Why the cluster did not answer, in the terms of what the user can change. */
    private String clusterProblem(Throwable error) {
        String protocol = protocol();
        if (error instanceof IllegalSaslStateException) {
            return "the listener at " + servers + " refused the SASL handshake (" + error.getMessage() + "); it is "
                    + "not a SASL listener: is it a PLAINTEXT listener? (security.protocol is " + protocol + ")";
        }
        if (error instanceof SaslAuthenticationException) {
            return "authentication failed: " + error.getMessage() + "; check the user name and password";
        }
        if (error instanceof SslAuthenticationException) {
            return "the TLS handshake with " + servers + " failed: " + error.getMessage() + "; does the truststore "
                    + "hold the CA of the broker's certificate?";
        }
        if (error instanceof TimeoutException || error instanceof org.apache.kafka.common.errors.TimeoutException) {
            String first = servers.split(",")[0].trim();
            Boolean plainKafka = answersPlainKafka(first);
            String waited = "no answer from the cluster within " + timeout.toMillis() + " ms";
            if (protocol.equals("PLAINTEXT") && Boolean.TRUE.equals(plainKafka)) {
                return waited + ": the listener at " + first + " answers plaintext Kafka requests but closes the "
                        + "connection before authentication; it expects SASL: set auth (iam, scram-sha-512, plain)";
            }
            if (protocol.equals("PLAINTEXT")) {
                return waited + ": the listener at " + first + " closed the connection on a plaintext Kafka request; "
                        + "is it a TLS listener? set auth tls, or iam / scram for SASL_SSL";
            }
            if (protocol.endsWith("SSL") && Boolean.TRUE.equals(plainKafka)) {
                return waited + ": the listener at " + first + " answers plaintext Kafka requests, so it is not a "
                        + "TLS listener (security.protocol is " + protocol + "); is it a PLAINTEXT listener?";
            }
            return waited + " (security.protocol " + protocol + "); are these the right servers and port?";
        }
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }

    /** Null when the server is reachable over TCP, else why not. */
    private String tcpProblem(String server) {
        int colon = server.lastIndexOf(':');
        if (colon < 0) {
            return server + " has no port (expected host:port)";
        }
        String host = server.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(server.substring(colon + 1));
        } catch (NumberFormatException e) {
            return server + " has no valid port (expected host:port)";
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return null;
        } catch (UnknownHostException e) {
            return "cannot resolve the host " + host;
        } catch (ConnectException e) {
            return "nothing listens at " + server + " (connection refused); is the broker running, and is the port "
                    + "right?";
        } catch (SocketTimeoutException e) {
            return "no answer from " + server + " within " + timeout.toMillis() + " ms; a firewall or security group "
                    + "may drop the traffic";
        } catch (IOException e) {
            return "cannot connect to " + server + ": " + e.getMessage();
        }
    }

    /**
     * Sends an ApiVersions request (v0) in plaintext: true when a Kafka response comes back, false when the
     * listener closes or answers something else (TLS), null when it cannot be told.
     */
    private Boolean answersPlainKafka(String server) {
        int colon = server.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.substring(0, colon),
                    Integer.parseInt(server.substring(colon + 1))), 2_000);
            socket.setSoTimeout(2_000);
            byte[] clientId = "ksf-check".getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(2 + 2 + 4 + 2 + clientId.length);
            out.writeShort(18);          // ApiVersions
            out.writeShort(0);           // version 0
            out.writeInt(0x6b7366);      // correlation id
            out.writeShort(clientId.length);
            out.write(clientId);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            return size > 4 && size < 1 << 20 && in.readInt() == 0x6b7366;
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
