package io.ksf.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in every string of a JSON tree with the environment's value.
 * {@code ${topic}} is not an environment variable: it is the placeholder of a record's source topic in templates
 * such as the kafka target's {@code "topic": "${topic}.curated"}, and stays as written.
 */
final class EnvironmentVariables {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)(?::-([^}]*))?}");
    private static final Set<String> RECORD_PLACEHOLDERS = Set.of("topic");

    private final Function<String, String> environment;
    private final List<String> problems = new ArrayList<>();

    EnvironmentVariables(Function<String, String> environment) {
        this.environment = environment;
    }

    /** Resolves references in place; returns one problem per variable that is not set and has no default. */
    List<String> resolve(JsonNode root) {
        walk(root, "");
        return problems;
    }

    private void walk(JsonNode node, String path) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    field.setValue(new TextNode(substitute(field.getValue().textValue(), childPath)));
                } else {
                    walk(field.getValue(), childPath);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                String childPath = path + "[" + i + "]";
                if (array.get(i).isTextual()) {
                    array.set(i, new TextNode(substitute(array.get(i).textValue(), childPath)));
                } else {
                    walk(array.get(i), childPath);
                }
            }
        }
    }

    private String substitute(String text, String path) {
        if (!text.contains("${")) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            if (RECORD_PLACEHOLDERS.contains(m.group(1)) && m.group(2) == null) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                continue;
            }
            String value = environment.apply(m.group(1));
            if (value == null) {
                value = m.group(2);
            }
            if (value == null) {
                problems.add(path + ": environment variable " + m.group(1) + " is not set");
                value = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
