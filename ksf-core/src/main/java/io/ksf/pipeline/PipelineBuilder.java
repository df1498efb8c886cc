package io.ksf.pipeline;

import io.ksf.pipeline.PipelineSettings.Tolerance;
import io.ksf.spi.Format;
import io.ksf.spi.KsfException;
import io.ksf.spi.Processor;
import io.ksf.spi.Source;
import io.ksf.spi.Target;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Builds a {@link Pipeline}; from {@link Pipeline#builder()}. Source (with its format) and target are required;
 * every call checks its value at once, and {@link #build()} names what is missing.
 */
public final class PipelineBuilder {
    Source source;
    Format sourceFormat;
    final List<Processor> processors = new ArrayList<>();
    Target target;
    Target deadLetter;
    MeterRegistry registry = Metrics.globalRegistry;
    String name = "ksf";
    Duration readyWindow = Duration.ofMinutes(5);
    private Tolerance tolerance;
    private PipelineSettings settings = PipelineSettings.defaults();
    private boolean settingsGiven;
    /** Calls such as mode() or flushEvery(), applied over settings() whatever the order of the calls. */
    private final List<UnaryOperator<PipelineSettings>> adjustments = new ArrayList<>();

    PipelineBuilder() {
    }

    /** Where the pipeline's meters go; default Micrometer's global registry. */
    public PipelineBuilder meterRegistry(MeterRegistry value) {
        this.registry = Objects.requireNonNull(value, "meterRegistry");
        return this;
    }

    /** The pipeline's name, as the {@code pipeline} tag of its meters and in its log lines. */
    public PipelineBuilder name(String value) {
        this.name = Objects.requireNonNull(value, "name");
        return this;
    }

    /** How recent the last successful flush must be for {@link Pipeline#health()} to say ready; default 5 min. */
    public PipelineBuilder readyWindow(Duration value) {
        this.readyWindow = Objects.requireNonNull(value, "readyWindow");
        return this;
    }

    /** Where records come from, and the format of their values. */
    public PipelineBuilder source(Source value, Format format) {
        this.source = Objects.requireNonNull(value, "source");
        this.sourceFormat = Objects.requireNonNull(format, "source format");
        return this;
    }

    /** Adds a processor; they run in the order added. */
    public PipelineBuilder processor(Processor value) {
        processors.add(Objects.requireNonNull(value, "processor"));
        return this;
    }

    /** Adds processors, in their order, after those already added. */
    public PipelineBuilder processors(List<? extends Processor> values) {
        values.forEach(this::processor);
        return this;
    }

    /** Where processed records go. */
    public PipelineBuilder target(Target value) {
        this.target = Objects.requireNonNull(value, "target");
        return this;
    }

    /** Where bad records go; with one, the tolerance defaults to {@code ALL}. */
    public PipelineBuilder deadLetter(Target value) {
        this.deadLetter = Objects.requireNonNull(value, "deadLetter");
        return this;
    }

    /** What a bad record does; wins over the tolerance of {@link #settings}, whatever the order of the calls. */
    public PipelineBuilder tolerance(Tolerance value) {
        this.tolerance = Objects.requireNonNull(value, "tolerance");
        return this;
    }

    /**
     * Every setting at once (from a config, say). The other calls of this builder ({@link #mode},
     * {@link #flushEvery}, {@link #memoryBudget}, {@link #pollTimeout}, {@link #tolerance}) win over it,
     * before or after.
     */
    public PipelineBuilder settings(PipelineSettings value) {
        this.settings = Objects.requireNonNull(value, "settings");
        this.settingsGiven = true;
        return this;
    }

    /** Flush and commit after this many records, or bytes, or this much time, whichever comes first. */
    public PipelineBuilder flushEvery(int records, long bytes, Duration interval) {
        return adjust(s -> s.withFlush(records, bytes, Objects.requireNonNull(interval, "interval")));
    }

    /** Sync (the default) or async: flushes on a worker thread while polling goes on. */
    public PipelineBuilder mode(PipelineSettings.Mode value) {
        return adjust(s -> s.withMode(Objects.requireNonNull(value, "mode")));
    }

    /** Async mode: bytes in flight before every partition is paused. */
    public PipelineBuilder memoryBudget(long bytes) {
        return adjust(s -> s.withMemoryBudget(bytes));
    }

    /** How long one poll of the source may wait for records. */
    public PipelineBuilder pollTimeout(Duration value) {
        return adjust(s -> s.withPollTimeout(Objects.requireNonNull(value, "pollTimeout")));
    }

    /** Keeps an adjustment, after trying it once so that a bad value fails here and not at build(). */
    private PipelineBuilder adjust(UnaryOperator<PipelineSettings> adjustment) {
        adjustment.apply(settings);
        adjustments.add(adjustment);
        return this;
    }

    /** The settings with every adjustment applied, and the tolerance: given, configured, or from the dead letters. */
    PipelineSettings effectiveSettings() {
        PipelineSettings effective = settings;
        for (UnaryOperator<PipelineSettings> adjustment : adjustments) {
            effective = adjustment.apply(effective);
        }
        if (tolerance != null) {
            effective = effective.withTolerance(tolerance);
        } else if (!settingsGiven) {
            effective = effective.withTolerance(deadLetter != null ? Tolerance.ALL : Tolerance.NONE);
        }
        if (effective.tolerance() == Tolerance.ALL && deadLetter == null) {
            throw new KsfException("tolerance ALL needs a dead-letter target, or bad records would be lost");
        }
        return effective;
    }

    /**
     * @throws IllegalStateException naming what is missing: the source (with its format) or the target
     */
    public Pipeline build() {
        if (source == null) {
            throw new IllegalStateException("PipelineBuilder: no source; call source(source, format) before build()");
        }
        if (target == null) {
            throw new IllegalStateException("PipelineBuilder: no target; call target(target) before build()");
        }
        return new Pipeline(this);
    }
}
