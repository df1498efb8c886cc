package io.ksf.pipeline;

import io.ksf.spi.TopicPartition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A pipeline's meters, tagged with its name, in the registry the host application gives (Prometheus, CloudWatch
 * ...): records in / written / filtered / dead-lettered, bytes in, flush and commit latency, retries, bytes in
 * flight against the memory budget, and consumer lag per partition.
 */
final class PipelineMetrics {
    final Counter recordsIn;
    final Counter bytesIn;
    final Counter recordsWritten;
    final Counter recordsFiltered;
    final Counter recordsDeadLettered;
    final Counter retries;
    final Timer flush;
    final Timer commit;
    private final MultiGauge lag;

    PipelineMetrics(MeterRegistry registry, String pipeline, Supplier<Number> inFlight, long memoryBudget) {
        Tags tags = Tags.of("pipeline", pipeline);
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

    void lag(Map<TopicPartition, Long> perPartition) {
        lag.register(perPartition.entrySet().stream().map(e -> MultiGauge.Row.of(Tags.of("topic", e.getKey().topic(),
                "partition", Integer.toString(e.getKey().partition())), e.getValue())).toList(), true);
    }

    void flushed(long nanos) {
        flush.record(nanos, TimeUnit.NANOSECONDS);
    }
}
