package io.ksf.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksf.spi.ConfigException;
import io.ksf.spi.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The release-1 config of the ECS task, accepted verbatim and translated to the canonical model:
 *
 * <pre>
 * Source.minMSKCommit      -> pipeline.flush.records  (records per commit)
 * Source.MSKpolling        -> pipeline.poll.timeout   (seconds)
 * Source.MSKTopic          -> source.topics
 * Source.SourceDataFormat  -> source.format           (JSON or CSV)
 * Source.asynchronous      -> pipeline.mode           (true: async)
 * Source.configuration     -> source.properties       (Kafka client properties)
 * Target.TargetS3bucket    -> target.bucket
 * Target.TargetFolderName  -> target.prefix
 * Target.TargetDataFormat  -> target.format           (JSON, CSV or PARQUET: columns inferred from the records)
 * </pre>
 * The source is {@code kafka} and the target {@code s3}. Errors name the release-1 keys.
 */
final class Release1Dialect {
    private static final Map<String, String> SOURCE_KEYS = new LinkedHashMap<>();
    private static final Map<String, String> TARGET_KEYS = new LinkedHashMap<>();
    private static final Set<String> SOURCE_FORMATS = Set.of("json", "csv");
    private static final Set<String> TARGET_FORMATS = Set.of("json", "csv", "parquet");

    static {
        SOURCE_KEYS.put("minMSKCommit", "pipeline.flush.records");
        SOURCE_KEYS.put("MSKpolling", "pipeline.poll.timeout");
        SOURCE_KEYS.put("MSKTopic", "source.topics");
        SOURCE_KEYS.put("SourceDataFormat", "source.format");
        SOURCE_KEYS.put("asynchronous", "pipeline.mode");
        SOURCE_KEYS.put("configuration", "source.properties");
        TARGET_KEYS.put("TargetS3bucket", "target.bucket");
        TARGET_KEYS.put("TargetFolderName", "target.prefix");
        TARGET_KEYS.put("TargetDataFormat", "target.format");
    }

    private final ObjectNode canonical;
    private final Map<String, String> displayPaths;

    private Release1Dialect(ObjectNode canonical, Map<String, String> displayPaths) {
        this.canonical = canonical;
        this.displayPaths = displayPaths;
    }

    /** A release-1 file has a {@code Source} or {@code Target} section. */
    static boolean matches(ObjectNode root) {
        return root.has("Source") || root.has("Target");
    }

    static Release1Dialect translate(ObjectNode root) {
        List<String> problems = new ArrayList<>();
        root.fieldNames().forEachRemaining(key -> {
            if (!key.equals("Source") && !key.equals("Target")) {
                problems.add(key + ": unknown key; supported keys: Source, Target");
            }
        });
        ObjectNode source = section(root, "Source", SOURCE_KEYS, problems);
        ObjectNode target = section(root, "Target", TARGET_KEYS, problems);

        ObjectNode canonicalSource = ConfigLoader.MAPPER.createObjectNode().put("type", "kafka");
        ObjectNode canonicalTarget = ConfigLoader.MAPPER.createObjectNode().put("type", "s3");
        ObjectNode pipeline = ConfigLoader.MAPPER.createObjectNode();

        Integer perCommit = value(source, "Source", "minMSKCommit",
                Option.integer("minMSKCommit", "records per commit"), false, problems);
        if (perCommit != null) {
            if (perCommit < 1) {
                problems.add("Source.minMSKCommit: expected an integer of at least 1, found " + perCommit);
            }
            pipeline.put("flush.records", perCommit);
        }
        Double pollSeconds = value(source, "Source", "MSKpolling",
                Option.number("MSKpolling", "poll timeout in seconds"), false, problems);
        if (pollSeconds != null) {
            if (pollSeconds < 0) {
                problems.add("Source.MSKpolling: expected a number of seconds of at least 0, found " + pollSeconds);
            }
            pipeline.put("poll.timeout", Math.round(pollSeconds * 1000) + "ms");
        }
        List<String> topics = value(source, "Source", "MSKTopic", Option.list("MSKTopic", "topics"), true,
                problems);
        if (topics != null) {
            canonicalSource.set("topics", ConfigLoader.MAPPER.valueToTree(topics));
        }
        Boolean async = value(source, "Source", "asynchronous", Option.bool("asynchronous", "mode"), false,
                problems);
        if (async != null) {
            pipeline.put("mode", async ? "async" : "sync");
        }
        JsonNode properties = source.get("configuration");
        if (properties != null) {
            canonicalSource.set("properties", properties);
        } else {
            problems.add("Source.configuration: missing; expected an object of Kafka client properties such as "
                    + "bootstrap.servers and group.id");
        }
        format(source, "Source", "SourceDataFormat", SOURCE_FORMATS, canonicalSource, problems);

        String bucket = value(target, "Target", "TargetS3bucket", Option.string("TargetS3bucket", "bucket"), true,
                problems);
        if (bucket != null) {
            canonicalTarget.put("bucket", bucket);
        }
        String prefix = value(target, "Target", "TargetFolderName", Option.string("TargetFolderName", "prefix"),
                false, problems);
        if (prefix != null) {
            canonicalTarget.put("prefix", prefix);
        }
        format(target, "Target", "TargetDataFormat", TARGET_FORMATS, canonicalTarget, problems);

        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        ObjectNode canonical = ConfigLoader.MAPPER.createObjectNode();
        canonical.set("source", canonicalSource);
        canonical.set("target", canonicalTarget);
        canonical.set("pipeline", pipeline);

        Map<String, String> display = new HashMap<>();
        SOURCE_KEYS.forEach((key, path) -> display.put(path, "Source." + key));
        TARGET_KEYS.forEach((key, path) -> display.put(path, "Target." + key));
        display.put("source", "Source");
        display.put("target", "Target");
        return new Release1Dialect(canonical, display);
    }

    ObjectNode canonical() {
        return canonical;
    }

    /** The release-1 path of a canonical path, such as {@code Target.TargetS3bucket} for {@code target.bucket}. */
    String displayPath(String canonicalPath) {
        String exact = displayPaths.get(canonicalPath);
        if (exact != null) {
            return exact;
        }
        if (canonicalPath.startsWith("source.properties.")) {
            return "Source.configuration." + canonicalPath.substring("source.properties.".length());
        }
        return canonicalPath;
    }

    private static ObjectNode section(ObjectNode root, String name, Map<String, String> keys, List<String> problems) {
        JsonNode node = root.get(name);
        if (node == null) {
            problems.add(name + ": missing; expected an object with keys " + String.join(", ", keys.keySet()));
            return ConfigLoader.MAPPER.createObjectNode();
        }
        if (!(node instanceof ObjectNode object)) {
            problems.add(name + ": expected an object, found " + node);
            return ConfigLoader.MAPPER.createObjectNode();
        }
        object.fieldNames().forEachRemaining(key -> {
            if (!keys.containsKey(key)) {
                problems.add(name + "." + key + ": unknown key; supported keys: "
                        + String.join(", ", new TreeSet<>(keys.keySet())));
            }
        });
        return object;
    }

    private static <T> T value(ObjectNode section, String sectionName, String key, Option<T> option, boolean required,
                               List<String> problems) {
        JsonNode node = section.get(key);
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(sectionName + "." + key + ": missing; expected " + option.expected());
            }
            return null;
        }
        try {
            return option.parse(node);
        } catch (IllegalArgumentException e) {
            problems.add(sectionName + "." + key + ": expected " + option.expected() + ", found " + node);
            return null;
        }
    }

    private static void format(ObjectNode section, String sectionName, String key, Set<String> formats,
                               ObjectNode canonicalSection, List<String> problems) {
        JsonNode node = section.get(key);
        if (node == null || node.isNull()) {
            canonicalSection.put("format", "json");
            return;
        }
        String name = node.isTextual() ? node.textValue().toLowerCase(Locale.ROOT) : null;
        if (name == null || !formats.contains(name)) {
            problems.add(sectionName + "." + key + ": expected " + (formats.contains("parquet") ? "JSON, CSV or PARQUET"
                    : "JSON or CSV") + ", found " + node);
            return;
        }
        canonicalSection.put("format", name);
    }
}
