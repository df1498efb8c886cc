package io.ksf.spi;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One declared option of a factory: key, type, required or default, and a one-line description. Immutable; the
 * modifier methods return copies.
 *
 * <pre>{@code
 * static final Option<String> BUCKET = Option.string("bucket", "S3 bucket to write to").required();
 * static final Option<Integer> BATCH = Option.integer("batch.size", "documents per bulk write").defaultValue(500);
 * }</pre>
 *
 * @param <T> the Java type of the value
 */
public final class Option<T> {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?");

    private final String key;
    private final String description;
    private final String expected;
    private final Function<JsonNode, T> parser;
    private final boolean required;
    private final T defaultValue;
    private final boolean secret;

    private Option(String key, String description, String expected, Function<JsonNode, T> parser, boolean required,
                   T defaultValue, boolean secret) {
        this.key = Objects.requireNonNull(key, "key");
        this.description = Objects.requireNonNull(description, "description");
        this.expected = expected;
        this.parser = parser;
        this.required = required;
        this.defaultValue = defaultValue;
        this.secret = secret || Secrets.isSecretKey(key);
    }

    /** An option of any type: {@code parser} throws IllegalArgumentException when a value does not fit. */
    public static <T> Option<T> of(String key, String description, String expected, Function<JsonNode, T> parser) {
        return new Option<>(key, description, expected, parser, false, null, false);
    }

    /** A text option. */
    public static Option<String> string(String key, String description) {
        return of(key, description, "a string", Option::parseString);
    }

    /** A whole-number option. */
    public static Option<Integer> integer(String key, String description) {
        return of(key, description, "an integer", node -> Math.toIntExact(parseLong(node)));
    }

    /** A long whole-number option. */
    public static Option<Long> longInteger(String key, String description) {
        return of(key, description, "an integer", Option::parseLong);
    }

    /** A decimal number option. */
    public static Option<Double> number(String key, String description) {
        return of(key, description, "a number", Option::parseDouble);
    }

    /** A true / false option. */
    public static Option<Boolean> bool(String key, String description) {
        return of(key, description, "true or false", Option::parseBoolean);
    }

    /** Durations are written {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT10S}. */
    public static Option<Duration> duration(String key, String description) {
        return of(key, description, "a duration such as 500ms, 10s or 5m", Option::parseDuration);
    }

    /** Sizes in bytes, written {@code 1048576}, {@code 512KiB}, {@code 64MiB}, {@code 1GB} ... */
    public static Option<Long> size(String key, String description) {
        return of(key, description, "a size such as 512KiB, 64MiB or 1048576", Option::parseSize);
    }

    /** One of a fixed set of lower-case words; the value is matched without regard to case. */
    public static Option<String> choice(String key, String description, String... choices) {
        List<String> allowed = List.of(choices);
        return of(key, description, "one of " + String.join(", ", allowed), node -> {
            String text = parseString(node).toLowerCase(Locale.ROOT);
            if (!allowed.contains(text)) {
                throw new IllegalArgumentException();
            }
            return text;
        });
    }

    /** A list of strings; a single string counts as a list of one, or of its comma-separated parts. */
    public static Option<List<String>> list(String key, String description) {
        return of(key, description, "a list of strings", Option::parseList);
    }

    /** An object whose values are scalars, kept as strings (client properties, for example). */
    public static Option<Map<String, String>> map(String key, String description) {
        return of(key, description, "an object of string, number or boolean values", Option::parseMap);
    }

    /** This option must be given. */
    public Option<T> required() {
        return new Option<>(key, description, expected, parser, true, null, secret);
    }

    /** The value used when the option is not given. */
    public Option<T> defaultValue(T value) {
        return new Option<>(key, description, expected, parser, false, value, secret);
    }

    /** The value is a secret: it never appears in toString, logs or errors. */
    public Option<T> secret() {
        return new Option<>(key, description, expected, parser, required, defaultValue, true);
    }

    /** The key under the component's config object, such as {@code flush.records}. */
    public String key() {
        return key;
    }

    /** One line for {@code ksf options} and the connector pages of {@code docs/}. */
    public String description() {
        return description;
    }

    /** What a valid value looks like, for messages and docs: "an integer", "one of sync, async" ... */
    public String expected() {
        return expected;
    }

    /** Whether a config without it is an error. */
    public boolean isRequired() {
        return required;
    }

    /** The value when the config leaves it out, or null. */
    public T defaultValue() {
        return defaultValue;
    }

    /** Whether its value is redacted in logs, errors and summaries. */
    public boolean isSecret() {
        return secret;
    }

    /** Converts a JSON value, or throws IllegalArgumentException; null and JSON null are not accepted. */
    public T parse(JsonNode node) {
        try {
            T value = parser.apply(node);
            if (value == null) {
                throw new IllegalArgumentException();
            }
            return value;
        } catch (ArithmeticException | DateTimeParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public String toString() {
        return key + " (" + expected + (required ? ", required" : defaultValue != null ? ", default "
                + (secret ? Secrets.REDACTED : defaultValue) : "") + ")";
    }

    private static String parseString(JsonNode node) {
        if (!node.isValueNode() || node.isNull()) {
            throw new IllegalArgumentException();
        }
        return node.asText();
    }

    private static long parseLong(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(node.textValue().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(e);
            }
        }
        throw new IllegalArgumentException();
    }

    private static double parseDouble(JsonNode node) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            try {
                return Double.parseDouble(node.textValue().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(e);
            }
        }
        throw new IllegalArgumentException();
    }

    private static boolean parseBoolean(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            String text = node.textValue().trim().toLowerCase(Locale.ROOT);
            if (text.equals("true") || text.equals("false")) {
                return Boolean.parseBoolean(text);
            }
        }
        throw new IllegalArgumentException();
    }

    static Duration parseDuration(JsonNode node) {
        String text = parseString(node).trim();
        if (text.regionMatches(true, 0, "PT", 0, 2) || text.regionMatches(true, 0, "P", 0, 1)) {
            return Duration.parse(text.toUpperCase(Locale.ROOT));
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException();
        }
        double amount = Double.parseDouble(m.group(1));
        long millis = switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> 86_400_000L;
        };
        return Duration.ofMillis(Math.round(amount * millis));
    }

    private static long parseSize(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return node.longValue();
        }
        Matcher m = SIZE.matcher(parseString(node).trim());
        if (!m.matches()) {
            throw new IllegalArgumentException();
        }
        long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KB" -> 1_000L;
            case "KiB" -> 1L << 10;
            case "MB" -> 1_000_000L;
            case "MiB" -> 1L << 20;
            case "GB" -> 1_000_000_000L;
            case "GiB" -> 1L << 30;
            default -> 1L;
        };
        return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    }

    private static List<String> parseList(JsonNode node) {
        if (node.isArray()) {
            List<String> values = new ArrayList<>();
            node.forEach(element -> values.add(parseString(element)));
            return List.copyOf(values);
        }
        String text = parseString(node);
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static Map<String, String> parseMap(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException();
        }
        Map<String, String> values = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> values.put(e.getKey(), parseString(e.getValue())));
        return Collections.unmodifiableMap(values);
    }
}
