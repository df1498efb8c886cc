package io.ksf.spi;

import java.util.List;
import java.util.Locale;

/** Which keys hold secrets, and how they show: never their value. */
public final class Secrets {
    public static final String REDACTED = "<redacted>";

    private static final List<String> MARKERS = List.of("password", "secret", "jaas", "credential", "token");

    private Secrets() {
    }

    /** True for keys containing password, secret, jaas, credential or token, in any case. */
    public static boolean isSecretKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        for (String marker : MARKERS) {
            if (lower.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** The value to show for a key: the value itself, or {@link #REDACTED} for a secret key. */
    public static Object shown(String key, Object value) {
        return value != null && isSecretKey(key) ? REDACTED : value;
    }
}
