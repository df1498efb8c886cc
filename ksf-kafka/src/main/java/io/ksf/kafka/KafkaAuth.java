package io.ksf.kafka;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The client properties of each {@code auth} mode. They are defaults: a property the user sets explicitly wins
 * (for example {@code security.protocol=SASL_PLAINTEXT} on a broker without TLS).
 */
final class KafkaAuth {
    static final String IAM_LOGIN_MODULE = "software.amazon.msk.auth.iam.IAMLoginModule";
    static final String IAM_CALLBACK_HANDLER = "software.amazon.msk.auth.iam.IAMClientCallbackHandler";

    private KafkaAuth() {
    }

    /**
     * @param mode     none, iam, scram-sha-512, scram-sha-256, plain or tls
     * @param settings the source's auth options by key (username, password, role.arn, truststore.* ...)
     */
    static Map<String, String> properties(String mode, Map<String, String> settings) {
        Map<String, String> props = new LinkedHashMap<>();
        switch (mode) {
            case "iam" -> {
                props.put("security.protocol", "SASL_SSL");
                props.put("sasl.mechanism", "AWS_MSK_IAM");
                String role = settings.get("role.arn");
                props.put("sasl.jaas.config", IAM_LOGIN_MODULE + " required"
                        + (role == null ? "" : " awsRoleArn=\"" + role + "\"") + ";");
                props.put("sasl.client.callback.handler.class", IAM_CALLBACK_HANDLER);
            }
            case "scram-sha-512", "scram-sha-256", "plain" -> {
                props.put("security.protocol", "SASL_SSL");
                props.put("sasl.mechanism", mode.equals("plain") ? "PLAIN" : mode.toUpperCase(Locale.ROOT));
                String module = mode.equals("plain") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                        : "org.apache.kafka.common.security.scram.ScramLoginModule";
                props.put("sasl.jaas.config", module + " required username=\"" + escape(settings.get("username"))
                        + "\" password=\"" + escape(settings.get("password")) + "\";");
                trustStore(settings, props);
            }
            case "tls" -> {
                props.put("security.protocol", "SSL");
                trustStore(settings, props);
                putIfSet(props, "ssl.keystore.location", settings.get("keystore.location"));
                putIfSet(props, "ssl.keystore.password", settings.get("keystore.password"));
                putIfSet(props, "ssl.key.password", settings.get("key.password"));
            }
            default -> {
                // none: the user's properties decide
            }
        }
        return props;
    }

    private static void trustStore(Map<String, String> settings, Map<String, String> props) {
        putIfSet(props, "ssl.truststore.location", settings.get("truststore.location"));
        putIfSet(props, "ssl.truststore.password", settings.get("truststore.password"));
    }

    private static void putIfSet(Map<String, String> props, String key, String value) {
        if (value != null) {
            props.put(key, value);
        }
    }

    private static String escape(String value) {
        return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
