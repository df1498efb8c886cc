package io.ksf.pipeline;

import io.ksf.config.ComponentConfig;
import io.ksf.config.PipelineConfig;
import io.ksf.spi.Check;
import io.ksf.spi.ConfigException;
import io.ksf.spi.Factory;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Format;
import io.ksf.spi.FormatFactory;
import io.ksf.spi.Options;
import io.ksf.spi.Processor;
import io.ksf.spi.ProcessorFactory;
import io.ksf.spi.Source;
import io.ksf.spi.SourceFactory;
import io.ksf.spi.TargetFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A configuration checked against the factories of a {@link Registry}: every {@code type} exists and every
 * component's options are valid. Resolving connects to nothing; {@link #build()} creates the components.
 */
public final class PipelinePlan {
    private static final Set<String> COMPONENT_KEYS = Set.of("type", "format");
    private static final String DEFAULT_FORMAT = "json";

    private final PipelineConfig config;
    private final Step<SourceFactory> source;
    private final List<Step<ProcessorFactory>> processors;
    private final Step<TargetFactory> target;
    private final Step<TargetFactory> deadLetter;

    private PipelinePlan(PipelineConfig config, Step<SourceFactory> source, List<Step<ProcessorFactory>> processors,
                         Step<TargetFactory> target, Step<TargetFactory> deadLetter) {
        this.config = config;
        this.source = source;
        this.processors = processors;
        this.target = target;
        this.deadLetter = deadLetter;
    }

    /**
     * Finds each component's factory and validates its options.
     *
     * @throws ConfigException listing every problem, each on its own line
     */
    public static PipelinePlan resolve(PipelineConfig config, Registry registry) {
        List<String> problems = new ArrayList<>();
        Resolver resolver = new Resolver(config, registry, problems);
        Step<SourceFactory> source = resolver.step(config.source(), SourceFactory.class, DEFAULT_FORMAT);
        String sourceFormat = source == null || source.format == null ? DEFAULT_FORMAT : source.format.factory.name();
        List<Step<ProcessorFactory>> processors = new ArrayList<>();
        for (ComponentConfig processor : config.processors()) {
            processors.add(resolver.step(processor, ProcessorFactory.class, null));
        }
        Step<TargetFactory> target = resolver.step(config.target(), TargetFactory.class, sourceFormat);
        Step<TargetFactory> deadLetter = config.deadLetter() == null ? null
                : resolver.step(config.deadLetter(), TargetFactory.class, DEFAULT_FORMAT);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new PipelinePlan(config, source, processors, target, deadLetter);
    }

    /** The config this plan was resolved from. */
    public PipelineConfig config() {
        return config;
    }

    /** Whether a processor keeps state (count, say), so the pipeline runs on Kafka Streams instead of KSF's loop. */
    public boolean stateful() {
        return processors.stream().anyMatch(step -> step.factory.stateful());
    }

    /**
     * The parts a runtime other than KSF's own (Kafka Streams) builds a pipeline from: the source's and the
     * target's types and checked options, the source format and the processors, created here.
     *
     * @param deadLetterType    the dead-letter destination's type, or null without one
     * @param deadLetterOptions its checked options, or null
     */
    public record Parts(String sourceType, Options sourceOptions, Format sourceFormat, List<Processor> processors,
                        String targetType, Options targetOptions, String deadLetterType, Options deadLetterOptions) {
    }

    /** Creates the source format and the processors, and hands over the rest as checked; connects to nothing. */
    public Parts parts() {
        List<Processor> created = new ArrayList<>();
        for (Step<ProcessorFactory> step : processors) {
            created.add(step.factory.create(step.options, step.context(null)));
        }
        return new Parts(source.factory.name(), source.options, source.format.create(), created,
                target.factory.name(), target.options, deadLetter == null ? null : deadLetter.factory.name(),
                deadLetter == null ? null : deadLetter.options);
    }

    /** Creates the components and the pipeline. Components may connect to their servers here. */
    public Pipeline build() {
        return build(Metrics.globalRegistry);
    }

    /**
     * {@link #build()}, with the pipeline's meters in the given registry.
     *
     * @throws ConfigException if a processor is stateful: such a pipeline runs on Kafka Streams, not here
     */
    public Pipeline build(MeterRegistry registry) {
        List<String> stateful = processors.stream().filter(step -> step.factory.stateful())
                .map(step -> step.config.path() + " (" + step.factory.name() + ") is stateful: run this pipeline on "
                        + "Kafka Streams (ksf run does; in code, StreamsPipeline.of(name, plan.parts()) from "
                        + "ksf-streams), not with build()")
                .toList();
        if (!stateful.isEmpty()) {
            throw new ConfigException(stateful);
        }
        return build(registry, processors);
    }

    /**
     * The checks of {@code ksf check}: the source, the target and the dead-letter destination built and checked
     * (without the processors, which connect to nothing; a stateful pipeline's servers are checked the same way).
     */
    public List<Check> checkServers(Duration timeout) {
        try (Pipeline pipeline = build(new SimpleMeterRegistry(), List.of())) {
            return pipeline.check(timeout);
        }
    }

    private Pipeline build(MeterRegistry registry, List<Step<ProcessorFactory>> processors) {
        List<AutoCloseable> created = new ArrayList<>();
        try {
            Format sourceFormat = source.format.create();
            Source src = track(created, source.factory.create(source.options, source.context(sourceFormat)));
            PipelineBuilder builder = Pipeline.builder().source(src, sourceFormat).settings(config.settings())
                    .name(config.name()).meterRegistry(registry);
            for (Step<ProcessorFactory> step : processors) {
                builder.processor(track(created, step.factory.create(step.options, step.context(null))));
            }
            builder.target(track(created, target.factory.create(target.options, target.context(target.format.create()))));
            if (deadLetter != null) {
                builder.deadLetter(track(created, deadLetter.factory.create(deadLetter.options,
                        new FactoryContext(deadLetter.config.path(), deadLetter.format.create(), true))));
            }
            return builder.build();
        } catch (RuntimeException e) {
            for (AutoCloseable closeable : created) {
                try {
                    closeable.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** A few lines that say what the pipeline will do; secrets are redacted. */
    public String summary() {
        PipelineSettings s = config.settings();
        StringBuilder out = new StringBuilder();
        out.append("pipeline '").append(config.name()).append("' (")
                .append(config.dialect().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .append(" config)\n");
        out.append("  source      ").append(source.describe()).append('\n');
        if (processors.isEmpty()) {
            out.append("  processors  none\n");
        }
        for (int i = 0; i < processors.size(); i++) {
            out.append(i == 0 ? "  processors  " : "              ").append(processors.get(i).describe()).append('\n');
        }
        out.append("  target      ").append(target.describe()).append('\n');
        out.append("  errors      tolerance ").append(s.tolerance().name().toLowerCase(Locale.ROOT))
                .append(", dead letters ").append(deadLetter == null ? "none" : deadLetter.describe())
                .append(", retries for ").append(text(s.retryTimeout())).append('\n');
        out.append("  flush       every ").append(s.flushRecords()).append(" records, ")
                .append(bytes(s.flushBytes())).append(" or ").append(text(s.flushInterval()))
                .append("; poll ").append(text(s.pollTimeout())).append("; mode ")
                .append(s.mode().name().toLowerCase(Locale.ROOT)).append('\n');
        return out.toString();
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> created, T component) {
        created.add(component);
        return component;
    }

    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    static String bytes(long n) {
        if (n % (1L << 30) == 0) {
            return (n >> 30) + " GiB";
        }
        if (n % (1L << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        return n % 1024 == 0 ? (n >> 10) + " KiB" : n + " bytes";
    }

    /** One resolved component: its factory, validated options, and its format's step. */
    private record Step<F extends Factory>(ComponentConfig config, F factory, Options options,
                                           FormatStep format) {
        FactoryContext context(Format created) {
            return new FactoryContext(config.path(), created);
        }

        String describe() {
            String formatText = format == null ? "" : " (format " + format.factory.name()
                    + set(format.factory, format.options) + ")";
            return factory.name() + formatText + set(factory, options);
        }
    }

    /** The options that differ from their defaults, secrets redacted, or nothing. */
    private static String set(Factory factory, Options options) {
        Map<String, Object> shown = new LinkedHashMap<>();
        Map<String, Object> redacted = Options.redact(options.asMap());
        for (io.ksf.spi.Option<?> option : factory.options()) {
            Object value = options.asMap().get(option.key());
            if (value != null && !value.equals(option.defaultValue())) {
                shown.put(option.key(), option.isSecret() ? io.ksf.spi.Secrets.REDACTED : redacted.get(option.key()));
            }
        }
        return shown.isEmpty() ? "" : " " + shown;
    }

    private record FormatStep(FormatFactory factory, Options options) {
        Format create() {
            return factory.create(options);
        }
    }

    private static final class Resolver {
        private final PipelineConfig config;
        private final Registry registry;
        private final List<String> problems;

        Resolver(PipelineConfig config, Registry registry, List<String> problems) {
            this.config = config;
            this.registry = registry;
            this.problems = problems;
        }

        <F extends Factory> Step<F> step(ComponentConfig component, Class<F> kind, String defaultFormat) {
            if (component == null) {
                return null;
            }
            F factory = attempt(component.path() + ".type", () -> registry.find(kind, component.type()));
            FormatStep format = format(component, defaultFormat);
            if (factory == null) {
                return null;
            }
            Options options = attempt(null, () -> Options.parse(component.path(), factory.options(),
                    component.options(), COMPONENT_KEYS, config.displayPath()));
            if (options == null || attempt(null, () -> {
                factory.check(options);
                if (factory instanceof TargetFactory target && format != null) {
                    target.check(options, format.factory().name());
                }
                return Boolean.TRUE;
            }) == null) {
                return null;
            }
            return new Step<>(component, factory, options, format);
        }

        private FormatStep format(ComponentConfig component, String defaultFormat) {
            ComponentConfig format = component.format();
            if (format == null && defaultFormat == null) {
                return null;
            }
            String name = format == null ? defaultFormat : format.type();
            String path = component.path() + ".format";
            FormatFactory factory = attempt(path, () -> registry.format(name));
            if (factory == null) {
                return null;
            }
            Options options = format == null ? Options.of(path, factory.options(), Map.of())
                    : attempt(null, () -> Options.parse(path, factory.options(), format.options(), COMPONENT_KEYS,
                    config.displayPath()));
            return options == null ? null : new FormatStep(factory, options);
        }

        private <T> T attempt(String path, Supplier<T> step) {
            try {
                return step.get();
            } catch (ConfigException e) {
                for (String problem : e.problems()) {
                    problems.add(path == null ? problem : config.displayPath().apply(path) + ": " + problem);
                }
                return null;
            }
        }
    }
}
