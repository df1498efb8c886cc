package io.ksf.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksf.spi.Options;

import java.util.Map;

/**
 * One component as configured, before its factory validates it: where it is, its {@code type}, its
 * {@code format} (itself a component, or null), and its other keys.
 *
 * @param path    such as {@code target} or {@code processors[0]}
 * @param type    the factory name
 * @param format  the format configured beside it, or null
 * @param options every key except {@code type} and {@code format}
 */
public record ComponentConfig(String path, String type, ComponentConfig format, ObjectNode options) {

    @Override
    public String toString() {
        @SuppressWarnings("unchecked")
        Map<String, Object> shown = Options.redact(ConfigLoader.MAPPER.convertValue(options, Map.class));
        return type + (format == null ? "" : "/" + format.type()) + " " + shown;
    }
}
