package io.ksf.kafka;

import io.ksf.spi.Option;
import io.ksf.spi.Options;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How the {@code kafka} source and target reach a cluster: the client properties and the {@code auth} mode with
 * its settings. One set of options and one piece of code for both, so a target on MSK authenticates exactly as
 * a source does.
 */
public final class KafkaClientOptions {
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

    /** The auth mode and its settings, as both the source's and the target's options list them. */
    public static final List<Option<?>> AUTH_OPTIONS = List.of(AUTH, USERNAME, PASSWORD, ROLE_ARN,
            TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEY_PASSWORD);

    private KafkaClientOptions() {
    }

    /** What is wrong with the auth settings of these options, one message per problem. */
    static List<String> problems(Options options) {
        List<String> problems = new ArrayList<>();
        String auth = options.require(AUTH);
        if (auth.startsWith("scram") || auth.equals("plain")) {
            for (Option<String> credential : List.of(USERNAME, PASSWORD)) {
                if (options.get(credential) == null) {
                    problems.add(options.path() + "." + credential.key() + ": missing; auth " + auth
                            + " needs username and password");
                }
            }
        }
        if (auth.equals("iam") && !onClassPath(KafkaAuth.IAM_LOGIN_MODULE)) {
            problems.add(options.path() + ".auth: iam needs software.amazon.msk:aws-msk-iam-auth on the class path; "
                    + "it is an optional dependency of ksf-kafka, so add it to the application's build");
        }
        return problems;
    }

    private static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, KafkaClientOptions.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The client properties: those of the auth mode, then the user's properties, which win.
     *
     * @param options        a kafka source's or target's options, with the auth mode and its settings
     * @param userProperties the {@code properties} given in the config
     * @return the properties a Kafka client of these options takes
     */
    public static Properties properties(Options options, Map<String, String> userProperties) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (Option<?> option : AUTH_OPTIONS) {
            if (option != AUTH && options.get(option) != null) {
                settings.put(option.key(), String.valueOf(options.get(option)));
            }
        }
        Properties props = new Properties();
        props.putAll(KafkaAuth.properties(options.require(AUTH), settings));
        props.putAll(userProperties);
        return props;
    }
}
