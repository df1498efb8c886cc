package io.ksf.pipeline;

import io.ksf.spi.Factory;
import io.ksf.spi.FormatFactory;
import io.ksf.spi.Option;
import io.ksf.spi.ProcessorFactory;
import io.ksf.spi.Secrets;
import io.ksf.spi.SourceFactory;
import io.ksf.spi.TargetFactory;

import java.time.Duration;
import java.util.List;

/**
 * The configuration reference, generated from the factories' declared options so that it cannot drift from the
 * code: {@code ksf options} prints it, and the connector pages of {@code docs/} hold copies that a test compares.
 */
public final class OptionsReference {
    private OptionsReference() {
    }

    /** Markdown: the pipeline and errors sections, then every factory of the registry by kind and name. */
    public static String markdown(Registry registry) {
        StringBuilder out = new StringBuilder();
        section(out, "`pipeline` section", "How the pipeline runs.", PipelineSettings.PIPELINE_OPTIONS);
        section(out, "`errors` section", "Bad records and target failures; `deadletter` is a target component.",
                PipelineSettings.ERRORS_OPTIONS);
        kind(out, registry, SourceFactory.class, "source");
        kind(out, registry, ProcessorFactory.class, "processor");
        kind(out, registry, TargetFactory.class, "target");
        kind(out, registry, FormatFactory.class, "format");
        return out.toString();
    }

    private static void kind(StringBuilder out, Registry registry, Class<? extends Factory> kind, String name) {
        for (Factory factory : registry.all(kind)) {
            section(out, name + " `" + factory.name() + "`", factory.description(), factory.options());
        }
    }

    private static void section(StringBuilder out, String title, String description, List<Option<?>> options) {
        out.append("#### ").append(title).append("\n\n").append(description).append("\n\n");
        if (options.isEmpty()) {
            out.append("No options.\n\n");
            return;
        }
        out.append("| key | value | default | meaning |\n|---|---|---|---|\n");
        for (Option<?> option : options) {
            out.append("| `").append(option.key()).append("` | ").append(option.expected()).append(" | ")
                    .append(option.isRequired() ? "required" : shown(option)).append(" | ")
                    .append(option.description().replace("|", "\\|")).append(option.isSecret() ? " (secret)" : "")
                    .append(" |\n");
        }
        out.append('\n');
    }

    private static String shown(Option<?> option) {
        Object value = option.defaultValue();
        if (value == null) {
            return "";
        }
        if (option.isSecret()) {
            return Secrets.REDACTED;
        }
        if (value instanceof Duration duration) {
            return "`" + PipelinePlan.text(duration) + "`";
        }
        if (value instanceof Long bytes && option.expected().startsWith("a size") && bytes > 0) {
            return "`" + PipelinePlan.bytes(bytes).replace(" ", "") + "`";
        }
        String text = String.valueOf(value).replace("\n", "\\n");
        return text.isEmpty() ? "empty" : "`" + text + "`";
    }
}
