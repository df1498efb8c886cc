package io.ksf.config;

import io.ksf.pipeline.PipelineSettings;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A loaded configuration in the canonical model, whichever dialect it was written in. Components are not yet
 * validated against their factories: {@link io.ksf.pipeline.PipelinePlan} does that.
 *
 * @param dialect     the dialect the file was written in
 * @param name        the pipeline's name, for logs and metrics
 * @param source      the {@code source} section
 * @param processors  the {@code processors} list, in order
 * @param target      the {@code target} section
 * @param deadLetter  {@code errors.deadletter}, or null
 * @param settings    the {@code pipeline} and {@code errors} sections
 * @param displayPath maps a canonical path such as {@code target.bucket} to the path the user wrote
 */
public record PipelineConfig(Dialect dialect, String name, ComponentConfig source, List<ComponentConfig> processors,
                             ComponentConfig target, ComponentConfig deadLetter, PipelineSettings settings,
                             UnaryOperator<String> displayPath) {

    /** Which shape the config file had: KSF's own, or the release-1 file of the original service. */
    public enum Dialect {
        /** {@code source}, {@code processors}, {@code target}, {@code errors}, {@code pipeline} sections. */
        CANONICAL,
        /** The release-1 file of the ECS task: {@code Source} / {@code Target} with {@code MSKTopic} ... */
        RELEASE_1
    }

    public PipelineConfig {
        processors = List.copyOf(processors);
    }
}
