package io.ksf.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The validated values of a component's options, typed by their {@link Option}. Immutable; {@link #toString()}
 * redacts secrets.
 */
public final class Options {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String path;
    private final Map<String, Object> values;
    private final Set<String> secretKeys;

    private Options(String path, Map<String, Object> values, Set<String> secretKeys) {
        this.path = path;
        this.values = Collections.unmodifiableMap(values);
        this.secretKeys = Set.copyOf(secretKeys);
    }

    /**
     * Validates a config section against declared options.
     *
     * @param path        where the section is, such as {@code target}, to name keys in errors
     * @param declared    the options the component accepts
     * @param section     the section's keys and values; keys in {@code ignoredKeys} are skipped
     * @param ignoredKeys keys handled by the caller, such as {@code type} and {@code format}
     * @param displayPath maps a full canonical path to the path the user wrote (identity for canonical configs)
     * @throws ConfigException listing every problem: unknown keys, missing required ones, values that do not fit
     */
    public static Options parse(String path, List<Option<?>> declared, ObjectNode section, Set<String> ignoredKeys,
                                UnaryOperator<String> displayPath) {
        Map<String, Option<?>> byKey = new LinkedHashMap<>();
        declared.forEach(option -> byKey.put(option.key(), option));
        List<String> problems = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        Set<String> secrets = new TreeSet<>();

        section.fieldNames().forEachRemaining(key -> {
            if (!ignoredKeys.contains(key) && !byKey.containsKey(key)) {
                TreeSet<String> supported = new TreeSet<>(byKey.keySet());
                supported.addAll(ignoredKeys);
                problems.add(displayPath.apply(join(path, key)) + ": unknown key; supported keys: "
                        + String.join(", ", supported));
            }
        });
        for (Option<?> option : declared) {
            String shownPath = displayPath.apply(join(path, option.key()));
            JsonNode node = section.get(option.key());
            if (option.isSecret()) {
                secrets.add(option.key());
            }
            if (node == null || node.isNull()) {
                if (option.isRequired()) {
                    problems.add(shownPath + ": missing; expected " + option.expected() + " (" + option.description()
                            + ")");
                } else if (option.defaultValue() != null) {
                    values.put(option.key(), option.defaultValue());
                }
                continue;
            }
            try {
                values.put(option.key(), option.parse(node));
            } catch (IllegalArgumentException e) {
                String found = option.isSecret() ? Secrets.REDACTED : describe(node);
                problems.add(shownPath + ": expected " + option.expected() + ", found " + found);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Options(path, values, secrets);
    }

    /** Validates plain Java values (as a host application would pass them) against declared options. */
    public static Options of(String path, List<Option<?>> declared, Map<String, ?> values) {
        return parse(path, declared, MAPPER.valueToTree(values), Set.of(), UnaryOperator.identity());
    }

    /** Where these options were configured, such as {@code target}. */
    public String path() {
        return path;
    }

    /** The value, its default, or null when neither is set. */
    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        return (T) values.get(option.key());
    }

    /** The value or its default; a clear error when neither is set. */
    public <T> T require(Option<T> option) {
        T value = get(option);
        if (value == null) {
            throw new ConfigException(join(path, option.key()) + ": missing; expected " + option.expected());
        }
        return value;
    }

    /** Whether the config gives this option a value (its default does not count). */
    public boolean has(Option<?> option) {
        return values.containsKey(option.key());
    }

    /** Every set value by key, secrets included: for the component only, never for printing. */
    public Map<String, Object> asMap() {
        return values;
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new LinkedHashMap<>();
        values.forEach((key, value) -> shown.put(key, secretKeys.contains(key) ? Secrets.REDACTED
                : value instanceof Map<?, ?> map ? redact(map) : value));
        return shown.toString();
    }

    /** A copy of a map, nested maps included, whose secret-looking keys show {@link Secrets#REDACTED}. */
    public static Map<String, Object> redact(Map<?, ?> map) {
        Map<String, Object> shown = new LinkedHashMap<>();
        map.forEach((key, value) -> shown.put(String.valueOf(key), value instanceof Map<?, ?> nested
                ? redact(nested) : Secrets.shown(String.valueOf(key), value)));
        return shown;
    }

    private static String join(String path, String key) {
        return path == null || path.isEmpty() ? key : path + "." + key;
    }

    private static String describe(JsonNode node) {
        String text = node.isObject() ? redact(MAPPER.convertValue(node, Map.class)).toString() : node.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
