package io.ksf.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksf.config.PipelineConfig.Dialect;
import io.ksf.pipeline.PipelineSettings;
import io.ksf.spi.ConfigException;
import io.ksf.spi.Options;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Reads a JSON configuration, in either dialect, into a {@link PipelineConfig}. Nothing connects anywhere: only
 * the text is checked. Every problem is collected and reported at once, each naming its full path, what was
 * expected and what was found.
 */
public final class ConfigLoader {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> TOP_LEVEL = Set.of("name", "source", "processors", "target", "errors",
            "pipeline");
    private static final Set<String> COMPONENT_KEYS = Set.of("type", "format");

    private final Function<String, String> environment;

    private ConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    /** A loader that resolves {@code ${NAME}} from the process environment. */
    public static ConfigLoader create() {
        return new ConfigLoader(System::getenv);
    }

    /** A loader that resolves {@code ${NAME}} from the given lookup (tests, host applications). */
    public static ConfigLoader withEnvironment(Function<String, String> environment) {
        return new ConfigLoader(environment);
    }

    /**
     * Reads and checks a config file.
     * @throws io.ksf.spi.ConfigException naming every problem found
     */
    public PipelineConfig load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Reads and checks a config given as text.
     * @throws io.ksf.spi.ConfigException naming every problem found
     */
    public PipelineConfig parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException("config is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new ConfigException("config: expected a JSON object, found " + (root == null ? "nothing"
                    : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        List<String> problems = new ArrayList<>(new EnvironmentVariables(environment).resolve(object));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        if (Release1Dialect.matches(object)) {
            Release1Dialect release1 = Release1Dialect.translate(object);
            return canonical(release1.canonical(), Dialect.RELEASE_1, release1::displayPath);
        }
        return canonical(object, Dialect.CANONICAL, UnaryOperator.identity());
    }

    private PipelineConfig canonical(ObjectNode root, Dialect dialect, UnaryOperator<String> displayPath) {
        List<String> problems = new ArrayList<>();
        root.fieldNames().forEachRemaining(key -> {
            if (!TOP_LEVEL.contains(key)) {
                problems.add(displayPath.apply(key) + ": unknown key; supported keys: "
                        + String.join(", ", new TreeSet<>(TOP_LEVEL)));
            }
        });
        String name = root.path("name").asText("ksf");
        ComponentConfig source = component("source", root.get("source"), true, problems, displayPath);
        ComponentConfig target = component("target", root.get("target"), true, problems, displayPath);
        List<ComponentConfig> processors = new ArrayList<>();
        JsonNode list = root.get("processors");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                problems.add(displayPath.apply("processors") + ": expected a list of processors, found " + list);
            } else {
                for (int i = 0; i < list.size(); i++) {
                    processors.add(component("processors[" + i + "]", list.get(i), true, problems, displayPath));
                }
            }
        }
        ObjectNode errors = section("errors", root.get("errors"), problems, displayPath);
        ComponentConfig deadLetter = component("errors.deadletter", errors.get("deadletter"), false, problems,
                displayPath);
        ObjectNode pipeline = section("pipeline", root.get("pipeline"), problems, displayPath);

        PipelineSettings settings = null;
        Options pipelineOptions = collect(problems, () -> Options.parse("pipeline", PipelineSettings.PIPELINE_OPTIONS,
                pipeline, Set.of(), displayPath));
        Options errorOptions = collect(problems, () -> Options.parse("errors", PipelineSettings.ERRORS_OPTIONS,
                errors, Set.of("deadletter"), displayPath));
        if (pipelineOptions != null && errorOptions != null) {
            settings = collect(problems, () -> PipelineSettings.from(pipelineOptions, errorOptions, deadLetter != null));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new PipelineConfig(dialect, name, source, processors, target, deadLetter, settings, displayPath);
    }

    private static <T> T collect(List<String> problems, Supplier<T> step) {
        try {
            return step.get();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    private static ObjectNode section(String path, JsonNode node, List<String> problems,
                                      UnaryOperator<String> displayPath) {
        if (node == null || node.isNull()) {
            return MAPPER.createObjectNode();
        }
        if (!(node instanceof ObjectNode object)) {
            problems.add(displayPath.apply(path) + ": expected an object, found " + node);
            return MAPPER.createObjectNode();
        }
        return object;
    }

    private static ComponentConfig component(String path, JsonNode node, boolean required, List<String> problems,
                                             UnaryOperator<String> displayPath) {
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(displayPath.apply(path) + ": missing; expected an object with a \"type\"");
            }
            return null;
        }
        if (!(node instanceof ObjectNode object)) {
            problems.add(displayPath.apply(path) + ": expected an object with a \"type\", found " + node);
            return null;
        }
        JsonNode type = object.get("type");
        if (type == null || !type.isTextual() || type.textValue().isBlank()) {
            problems.add(displayPath.apply(path + ".type") + ": " + (type == null ? "missing; expected"
                    : "expected") + " the name of a factory, such as " + example(path)
                    + (type == null ? "" : ", found " + type));
            return null;
        }
        ObjectNode options = object.deepCopy();
        options.remove(COMPONENT_KEYS);
        ComponentConfig format = format(path + ".format", object.get("format"), problems, displayPath);
        return new ComponentConfig(path, type.textValue(), format, options);
    }

    private static ComponentConfig format(String path, JsonNode node, List<String> problems,
                                          UnaryOperator<String> displayPath) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return new ComponentConfig(path, node.textValue().toLowerCase(Locale.ROOT), null,
                    MAPPER.createObjectNode());
        }
        if (node.isObject() && node.get("format") == null) {
            return component(path, node, true, problems, displayPath);
        }
        problems.add(displayPath.apply(path) + ": expected a format name such as \"json\", or an object with a "
                + "\"type\", found " + node);
        return null;
    }

    private static String example(String path) {
        return switch (path) {
            case "source" -> "\"kafka\"";
            case "target", "errors.deadletter" -> "\"file\" or \"s3\"";
            default -> path.endsWith("format") ? "\"json\"" : "\"validate\"";
        };
    }
}
