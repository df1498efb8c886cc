package io.ksf.pipeline;

import io.ksf.spi.SourcePartition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A pipeline's meters, tagged with its name, in the registry the host application gives (Prometheus, CloudWatch
 * ...): records in / written / filtered / dead-lettered, bytes in, flush and commit latency, retries, bytes in
 * flight against the memory budget, and consumer lag per partition. {@link #close()} removes them, so the next
 * pipeline of that name reads its own; while they live, another pipeline of the same name in the same registry is
 * tagged {@code name-2}, {@code name-3} ..., with a warning.
 */
final class PipelineMetrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineMetrics.class);

    final Counter recordsIn;
    final Counter bytesIn;
    final Counter recordsWritten;
    final Counter recordsFiltered;
    final Counter recordsDeadLettered;
    final Counter retries;
    final Timer flush;
    final Timer commit;
    private final MultiGauge lag;
    private final MeterRegistry registry;
    private final String name;
    private long lastLagNanos;
    private volatile long totalLag = -1;

    PipelineMetrics(MeterRegistry registry, String pipeline, Supplier<Number> inFlight, long memoryBudget) {
        this.registry = registry;
        this.name = freeName(registry, pipeline);
        Tags tags = Tags.of("pipeline", name);
        recordsIn = Counter.builder("ksf.records.in").description("records polled from the source").tags(tags)
                .register(registry);
        bytesIn = Counter.builder("ksf.bytes.in").description("key and value bytes polled").baseUnit("bytes")
                .tags(tags).register(registry);
        recordsWritten = Counter.builder("ksf.records.written").description("records handed to the target")
                .tags(tags).register(registry);
        recordsFiltered = Counter.builder("ksf.records.filtered").description("records processors dropped on purpose")
                .tags(tags).register(registry);
        recordsDeadLettered = Counter.builder("ksf.records.deadlettered")
                .description("records sent to the dead-letter destination").tags(tags).register(registry);
        retries = Counter.builder("ksf.retries").description("retries of failed flushes").tags(tags).register(registry);
        flush = Timer.builder("ksf.flush").description("time to make written records durable").tags(tags)
                .register(registry);
        commit = Timer.builder("ksf.commit").description("time to commit positions to the source").tags(tags)
                .register(registry);
        Gauge.builder("ksf.inflight.bytes", inFlight).description("bytes handed to the target and not yet durable")
                .baseUnit("bytes").tags(tags).register(registry);
        Gauge.builder("ksf.memory.budget.bytes", () -> memoryBudget).description("async mode's in-flight limit")
                .baseUnit("bytes").tags(tags).register(registry);
        lag = MultiGauge.builder("ksf.consumer.lag").description("records behind the end of each partition")
                .tags(tags).register(registry);
    }

    /** The name itself, or the first of {@code name-2}, {@code name-3} ... that no living pipeline uses here. */
    private static synchronized String freeName(MeterRegistry registry, String pipeline) {
        String candidate = pipeline;
        for (int n = 2; registry.find("ksf.records.in").tag("pipeline", candidate).meter() != null; n++) {
            candidate = pipeline + "-" + n;
        }
        if (!candidate.equals(pipeline)) {
            LOG.warn("a pipeline named '{}' already has meters in this registry; this one's are tagged pipeline={}; "
                    + "give each pipeline its own name", pipeline, candidate);
        }
        return candidate;
    }

    /** The value of the {@code pipeline} tag of these meters. */
    String name() {
        return name;
    }

    /** Removes every meter of this pipeline from the registry. */
    @Override
    public void close() {
        lag.register(List.of(), true);
        registry.getMeters().stream().filter(meter -> name.equals(meter.getId().getTag("pipeline")))
                .toList().forEach(registry::remove);
    }

    /** Asks the source for its lag per partition, at most once a second (it may ask a server); poll thread only. */
    void refreshLag(Supplier<Map<SourcePartition, Long>> source) {
        long now = System.nanoTime();
        if (lastLagNanos != 0 && now - lastLagNanos < 1_000_000_000L) {
            return;
        }
        lastLagNanos = now;
        Map<SourcePartition, Long> perPartition = source.get();
        lag.register(perPartition.entrySet().stream().map(e -> MultiGauge.Row.of(Tags.of("topic", e.getKey().topic(),
                "partition", Integer.toString(e.getKey().partition())), e.getValue())).toList(), true);
        totalLag = perPartition.isEmpty() ? -1 : perPartition.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Records behind the end of the assigned partitions at the last look, or -1 when unknown. */
    long totalLag() {
        return totalLag;
    }

    void flushed(long nanos) {
        flush.record(nanos, TimeUnit.NANOSECONDS);
    }
}
