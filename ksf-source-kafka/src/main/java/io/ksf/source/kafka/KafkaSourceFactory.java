package io.ksf.source.kafka;

import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Source;
import io.ksf.spi.SourceFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The {@code kafka} source: a Kafka or Amazon MSK topic list or pattern, read by a consumer group. */
public final class KafkaSourceFactory implements SourceFactory {
    public static final Option<List<String>> TOPICS = Option.list("topics", "topics to read");
    public static final Option<String> TOPICS_REGEX = Option.string("topics.regex",
            "a regular expression of topics to read, instead of topics");
    public static final Option<Map<String, String>> PROPERTIES = Option.map("properties",
            "Kafka consumer properties: bootstrap.servers, group.id, auto.offset.reset ...").required();
    public static final Option<String> AUTH = Option.choice("auth", "how to authenticate to the brokers",
            "none", "iam", "scram-sha-512", "scram-sha-256", "plain", "tls").defaultValue("none");
    public static final Option<String> USERNAME = Option.string("username", "SASL user name (scram, plain)");
    public static final Option<String> PASSWORD = Option.string("password",
            "SASL password (scram, plain); give it as ${ENV_VAR}").secret();
    public static final Option<String> ROLE_ARN = Option.string("role.arn", "IAM role to assume (iam)");
    public static final Option<String> TRUSTSTORE_LOCATION = Option.string("truststore.location",
            "truststore file for TLS (tls, scram, plain)");
    public static final Option<String> TRUSTSTORE_PASSWORD = Option.string("truststore.password",
            "truststore password").secret();
    public static final Option<String> KEYSTORE_LOCATION = Option.string("keystore.location",
            "keystore file with the client certificate (tls)");
    public static final Option<String> KEYSTORE_PASSWORD = Option.string("keystore.password", "keystore password")
            .secret();
    public static final Option<String> KEY_PASSWORD = Option.string("key.password", "private key password").secret();

    private static final List<Option<?>> AUTH_SETTINGS = List.of(USERNAME, PASSWORD, ROLE_ARN, TRUSTSTORE_LOCATION,
            TRUSTSTORE_PASSWORD, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEY_PASSWORD);

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String description() {
        return "Reads a Kafka / Amazon MSK topic list or pattern as a consumer group; commits after the target";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> options = new ArrayList<>(List.of(TOPICS, TOPICS_REGEX, PROPERTIES, AUTH));
        options.addAll(AUTH_SETTINGS);
        return options;
    }

    @Override
    public void check(Options options) {
        List<String> problems = new ArrayList<>();
        boolean hasTopics = options.get(TOPICS) != null && !options.get(TOPICS).isEmpty();
        if (hasTopics == (options.get(TOPICS_REGEX) != null)) {
            problems.add(options.path() + ": expected exactly one of topics, topics.regex");
        }
        if (options.get(TOPICS_REGEX) != null) {
            try {
                Pattern.compile(options.get(TOPICS_REGEX));
            } catch (PatternSyntaxException e) {
                problems.add(options.path() + ".topics.regex: expected a regular expression, found \""
                        + options.get(TOPICS_REGEX) + "\" (" + e.getDescription() + ")");
            }
        }
        String reset = options.require(PROPERTIES).getOrDefault("auto.offset.reset", "earliest");
        if (!List.of("earliest", "latest", "none").contains(reset)) {
            problems.add(options.path() + ".properties.auto.offset.reset: expected one of earliest, latest, none, "
                    + "found \"" + reset + "\"");
        }
        String groupId = options.require(PROPERTIES).get("group.id");
        if (groupId == null || groupId.isBlank()) {
            problems.add(options.path() + ".properties.group.id: missing; expected the consumer group id, "
                    + "shared by every instance of this pipeline");
        }
        String auth = options.require(AUTH);
        if ((auth.startsWith("scram") || auth.equals("plain"))
                && (options.get(USERNAME) == null || options.get(PASSWORD) == null)) {
            problems.add(options.path() + ": auth " + auth + " needs username and password");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    @Override
    public Source create(Options options, FactoryContext context) {
        check(options);
        String regex = options.get(TOPICS_REGEX);
        return new KafkaSource(consumerProperties(options), regex == null ? options.require(TOPICS) : List.of(),
                regex == null ? null : Pattern.compile(regex));
    }

    /** The consumer properties: auth defaults, then the user's properties, then what KSF's guarantee needs. */
    static Properties consumerProperties(Options options) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (Option<?> option : AUTH_SETTINGS) {
            if (options.get(option) != null) {
                settings.put(option.key(), String.valueOf(options.get(option)));
            }
        }
        Properties props = new Properties();
        props.putAll(KafkaAuth.properties(options.require(AUTH), settings));
        props.putAll(options.require(PROPERTIES));
        props.putIfAbsent("auto.offset.reset", "earliest");
        return props;
    }
}
