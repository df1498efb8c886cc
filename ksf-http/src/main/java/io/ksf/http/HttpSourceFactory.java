package io.ksf.http;

import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Source;
import io.ksf.spi.SourceFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The {@code http} source: REST Proxy produce requests, each answered once its records are durable. */
public final class HttpSourceFactory implements SourceFactory {
    public static final Option<String> HOST = Option.string("host", "address to listen on")
            .defaultValue("0.0.0.0");
    public static final Option<Integer> PORT = Option.integer("port", "port to listen on (REST Proxy's is 8082)")
            .defaultValue(8082);
    public static final Option<List<String>> TOPICS = Option.list("topics",
            "topics clients may post to; others get 404 (40401) at once");
    public static final Option<String> TOPICS_REGEX = Option.string("topics.regex",
            "a regular expression of topics clients may post to, beside or instead of topics");
    public static final Option<Integer> PARTITION = Option.integer("partition",
            "the partition number of this instance's records (positions); give each instance its own when their "
                    + "records go to the same files or S3 prefix").defaultValue(0);
    public static final Option<Long> MAX_REQUEST_BYTES = Option.size("max.request.bytes",
            "largest request body; larger ones get 413").defaultValue(10L << 20);
    public static final Option<Long> MEMORY_BUDGET = Option.size("memory.budget",
            "bytes of records held until they are durable; beyond it requests get 429 with Retry-After")
            .defaultValue(64L << 20);
    public static final Option<Duration> REQUEST_TIMEOUT = Option.duration("request.timeout",
            "how long a request waits for its records to be durable before it gets 503 (50003)")
            .defaultValue(Duration.ofSeconds(30));
    public static final Option<Duration> IDLE_TIMEOUT = Option.duration("idle.timeout",
            "how long a connection may stay silent, mid-request or between requests (slow clients)")
            .defaultValue(Duration.ofSeconds(30));
    public static final Option<Duration> FLUSH_INTERVAL = Option.duration("flush.interval",
            "the longest records wait for the target's flush; 0: at once, and requests that arrive during a flush "
                    + "share the next (the pipeline's flush.interval, if shorter, wins)").defaultValue(Duration.ZERO);
    public static final Option<Integer> MAX_POLL_RECORDS = Option.integer("max.poll.records",
            "most records handed to the pipeline at once").defaultValue(10_000);
    public static final Option<Integer> MAX_THREADS = Option.integer("max.threads", "the server's threads")
            .defaultValue(200);
    public static final Option<String> CLUSTER_ID = Option.string("cluster.id",
            "the cluster id of v3 metadata answers when the target is not Kafka (with Kafka: its cluster's id)")
            .defaultValue("ksf");
    public static final Option<String> AUTH = Option.choice("auth",
            "what clients must send: none, bearer (auth.token) or basic (auth.username, auth.password)",
            "none", "bearer", "basic").defaultValue("none");
    public static final Option<String> AUTH_TOKEN = Option.string("auth.token",
            "the bearer token; give it as ${ENV_VAR}").secret();
    public static final Option<String> AUTH_USERNAME = Option.string("auth.username", "the basic-auth user");
    public static final Option<String> AUTH_PASSWORD = Option.string("auth.password",
            "the basic-auth password; give it as ${ENV_VAR}").secret();
    public static final Option<String> TLS_KEYSTORE = Option.string("tls.keystore.location",
            "keystore with the server's certificate and key: HTTPS instead of HTTP");
    public static final Option<String> TLS_KEYSTORE_PASSWORD = Option.string("tls.keystore.password",
            "the keystore's password").secret();
    public static final Option<String> TLS_KEYSTORE_TYPE = Option.choice("tls.keystore.type",
            "the keystore's type", "pkcs12", "jks").defaultValue("pkcs12");

    public static final Option<Duration> IDEMPOTENCY_WINDOW = Option.duration("idempotency.window",
            "how long the answer of a request sent with an Idempotency-Key header is kept: a retry with the key gets "
                    + "it and its records are not stored again").defaultValue(Duration.ofHours(1));
    public static final Option<Integer> IDEMPOTENCY_MAX_KEYS = Option.integer("idempotency.max.keys",
            "the most answered Idempotency-Keys kept in memory (the oldest go first)").defaultValue(100_000);

    public static final Option<String> IDEMPOTENCY_TOPIC = Option.string("idempotency.topic",
            "a compacted topic where the kafka target with exactly.once keeps the answers of Idempotency-Key "
                    + "requests in its transactions, so that retries after a restart get them; default: in memory");

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String description() {
        return "Takes REST Proxy produce requests (v2, v3) over HTTP(S); answers 200 only once the records are "
                + "durable";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(HOST, PORT, TOPICS, TOPICS_REGEX, PARTITION, MAX_REQUEST_BYTES, MEMORY_BUDGET,
                REQUEST_TIMEOUT, IDLE_TIMEOUT, FLUSH_INTERVAL, MAX_POLL_RECORDS, MAX_THREADS, CLUSTER_ID, AUTH,
                AUTH_TOKEN, AUTH_USERNAME, AUTH_PASSWORD, TLS_KEYSTORE, TLS_KEYSTORE_PASSWORD, TLS_KEYSTORE_TYPE,
                IDEMPOTENCY_WINDOW, IDEMPOTENCY_MAX_KEYS, IDEMPOTENCY_TOPIC);
    }

    @Override
    public void check(Options options) {
        String path = options.path();
        List<String> problems = new ArrayList<>();
        if ((options.get(TOPICS) == null || options.get(TOPICS).isEmpty()) && options.get(TOPICS_REGEX) == null) {
            problems.add(path + ": expected topics or topics.regex (the topics clients may post to), found neither");
        }
        if (options.get(TOPICS_REGEX) != null) {
            try {
                Pattern.compile(options.get(TOPICS_REGEX));
            } catch (PatternSyntaxException e) {
                problems.add(path + ".topics.regex: expected a regular expression, found \""
                        + options.get(TOPICS_REGEX) + "\" (" + e.getDescription() + ")");
            }
        }
        int port = options.require(PORT);
        if (port < 0 || port > 65535) {
            problems.add(path + ".port: expected a port from 0 to 65535, found " + port);
        }
        switch (options.require(AUTH)) {
            case "bearer" -> {
                if (options.get(AUTH_TOKEN) == null) {
                    problems.add(path + ".auth.token: missing; auth bearer needs the token clients send");
                }
            }
            case "basic" -> {
                if (options.get(AUTH_USERNAME) == null || options.get(AUTH_PASSWORD) == null) {
                    problems.add(path + ": auth basic needs auth.username and auth.password");
                }
            }
            default -> {
            }
        }
        if (options.require(IDEMPOTENCY_MAX_KEYS) < 1) {
            problems.add(path + ".idempotency.max.keys: expected at least 1, found "
                    + options.require(IDEMPOTENCY_MAX_KEYS));
        }
        String keystore = options.get(TLS_KEYSTORE);
        if (keystore != null && !Files.isReadable(Path.of(keystore))) {
            problems.add(path + ".tls.keystore.location: expected a readable keystore file, found \"" + keystore
                    + "\"");
        }
        if (keystore != null && options.get(TLS_KEYSTORE_PASSWORD) == null) {
            problems.add(path + ".tls.keystore.password: missing; the keystore needs its password");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    @Override
    public Source create(Options options, FactoryContext context) {
        check(options);
        List<String> topics = options.get(TOPICS) == null ? List.of() : options.get(TOPICS);
        String regex = options.get(TOPICS_REGEX);
        String auth = options.require(AUTH);
        return new HttpSource(new HttpSourceSettings(options.require(HOST), options.require(PORT), Set.copyOf(topics),
                regex == null ? null : Pattern.compile(regex), options.require(PARTITION),
                options.require(MAX_REQUEST_BYTES), options.require(MEMORY_BUDGET),
                options.require(REQUEST_TIMEOUT),
                options.require(IDLE_TIMEOUT), options.require(FLUSH_INTERVAL), options.require(MAX_POLL_RECORDS),
                options.require(MAX_THREADS), options.require(CLUSTER_ID),
                auth.equals("none") ? null : new HttpSourceSettings.Auth(options.get(AUTH_TOKEN),
                        options.get(AUTH_USERNAME), options.get(AUTH_PASSWORD)),
                options.get(TLS_KEYSTORE) == null ? null : new HttpSourceSettings.Tls(options.get(TLS_KEYSTORE),
                        options.get(TLS_KEYSTORE_PASSWORD),
                        options.require(TLS_KEYSTORE_TYPE).toUpperCase(Locale.ROOT)),
                options.require(IDEMPOTENCY_WINDOW), options.require(IDEMPOTENCY_MAX_KEYS),
                options.get(IDEMPOTENCY_TOPIC)));
    }
}
