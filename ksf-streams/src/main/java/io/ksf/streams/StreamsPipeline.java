package io.ksf.streams;

import io.ksf.pipeline.PipelineHealth;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.PipelineStats;
import io.ksf.spi.ConfigException;
import io.ksf.spi.KsfException;
import io.ksf.spi.Options;
import io.ksf.spi.Positions;
import io.ksf.spi.Processor;
import io.ksf.kafka.KafkaClientOptions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A pipeline with a stateful processor, run as a Kafka Streams application: {@code application.id} is the
 * pipeline's name (so more instances of it share the partitions), {@code exactly_once_v2} by default, the
 * topology of {@link CountTopology}. Its source and target must be Kafka topics of one cluster.
 */
public final class StreamsPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsPipeline.class);
    /**
     * Client settings of the source that Kafka Streams takes over: where the cluster is, how to reach it, and how
     * soon a member that stopped answering gives its partitions up.
     */
    private static final List<String> CONNECTION_PREFIXES = List.of("bootstrap.servers", "security.", "sasl.", "ssl.",
            "client.dns.lookup", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms");

    private final String name;
    private final KafkaStreams streams;
    private final CountTopology.Counts counts = new CountTopology.Counts();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Throwable failure;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;
    private KafkaStreamsMetrics metrics;

    private StreamsPipeline(String name, CountTopology.Settings settings, Properties properties) {
        this.name = name;
        this.streams = new KafkaStreams(CountTopology.build(settings, counts), properties);
        streams.setStateListener((now, before) -> {
            LOG.info("stateful pipeline '{}': {} -> {}", name, before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(error -> {
            failure = error;
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    /**
     * The Kafka Streams application of a resolved plan.
     *
     * @throws ConfigException when the source or the target is not Kafka, or the processors do not end in one count
     */
    public static StreamsPipeline of(String name, PipelinePlan.Parts parts) {
        List<String> problems = new ArrayList<>();
        if (!parts.sourceType().equals("kafka") || !parts.targetType().equals("kafka")) {
            problems.add("processors: a stateful processor (count, aggregate) runs on Kafka Streams, which reads and writes Kafka "
                    + "topics, found source " + parts.sourceType() + " and target " + parts.targetType()
                    + "; stage other sources and targets through a topic (s3 -> topic -> counts -> topic)");
        }
        List<Processor> stateless = new ArrayList<>(parts.processors());
        Processor last = stateless.isEmpty() ? null : stateless.remove(stateless.size() - 1);
        if (!(last instanceof StatefulStep) || stateless.stream().anyMatch(StatefulStep.class::isInstance)) {
            problems.add("processors: a stateful pipeline ends with one count or aggregate, after its stateless "
                    + "processors");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Map<String, Object> source = parts.sourceOptions().asMap();
        Map<String, Object> target = parts.targetOptions().asMap();
        @SuppressWarnings("unchecked")
        List<String> topics = (List<String>) source.get("topics");
        String output = (String) target.get("topic");
        if (topics == null || topics.isEmpty()) {
            problems.add("source.topics: a stateful pipeline reads topics named in a list, found none");
        }
        if (output == null || output.contains("${")) {
            problems.add("target.topic: a stateful pipeline writes one topic named as is, found " + output);
        }
        Properties connection = connection(parts.sourceOptions());
        if (!String.valueOf(connection.get("bootstrap.servers"))
                .equals(String.valueOf(connection(parts.targetOptions()).get("bootstrap.servers")))) {
            problems.add("target.properties.bootstrap.servers: a stateful pipeline reads and writes one cluster, found "
                    + connection.get("bootstrap.servers") + " and "
                    + connection(parts.targetOptions()).get("bootstrap.servers"));
        }
        String deadLetterTopic = null;
        if (parts.deadLetterType() != null) {
            if (!parts.deadLetterType().equals("kafka")) {
                problems.add("errors.deadletter: a stateful pipeline's dead letters go to a kafka topic, found "
                        + parts.deadLetterType());
            } else {
                deadLetterTopic = (String) parts.deadLetterOptions().asMap().get("topic");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Properties properties = new Properties();
        properties.putAll(connection);
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, name);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // stores are in memory and restored from their changelogs, so each instance has a folder of its own
        properties.put(StreamsConfig.STATE_DIR_CONFIG, Path.of(System.getProperty("java.io.tmpdir"),
                "ksf-streams", name + "-" + UUID.randomUUID()).toString());
        CountTopology.Settings settings = new CountTopology.Settings(topics, parts.sourceFormat(), stateless,
                (StatefulStep) last, output, deadLetterTopic);
        return new StreamsPipeline(name, settings, properties);
    }

    /** The source's or target's connection and security properties (from its auth mode and its properties). */
    @SuppressWarnings("unchecked")
    static Properties connection(Options options) {
        Properties connection = new Properties();
        Map<String, String> properties = (Map<String, String>) options.asMap().getOrDefault("properties", Map.of());
        KafkaClientOptions.properties(options, properties).forEach((key, value) -> {
            if (CONNECTION_PREFIXES.stream().anyMatch(((String) key)::startsWith)) {
                connection.put(key, value);
            }
        });
        return connection;
    }

    /** Runs until {@link #close()}; throws when Kafka Streams stops on an error. */
    public void run() {
        LOG.info("stateful pipeline '{}' starting on Kafka Streams (exactly_once_v2)", name);
        streams.start();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null || streams.state() == KafkaStreams.State.ERROR) {
            throw new KsfException("stateful pipeline '" + name + "' stopped on an error: "
                    + (failure == null ? streams.state() : failure.getMessage()), failure);
        }
    }

    /** How many tasks (input partitions of each sub-topology) this instance runs now. */
    public int activeTasks() {
        return streams.metadataForLocalThreads().stream().mapToInt(thread -> thread.activeTasks().size()).sum();
    }

    /** Kafka Streams' state: RUNNING once tasks are assigned and state restored. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Health for the container platform: live unless Kafka Streams stopped or failed, ready while it runs (tasks
     * assigned and their state restored).
     */
    public PipelineHealth health() {
        KafkaStreams.State state = streams.state();
        return switch (state) {
            case RUNNING -> new PipelineHealth(true, true, "Kafka Streams RUNNING, " + activeTasks()
                    + " active tasks");
            case CREATED, REBALANCING -> new PipelineHealth(true, false, "Kafka Streams " + state
                    + ": tasks being assigned or their state restored");
            case PENDING_SHUTDOWN -> new PipelineHealth(true, false, "Kafka Streams stopping");
            default -> new PipelineHealth(false, false, "Kafka Streams " + state
                    + (failure == null ? "" : ": " + failure.getMessage()));
        };
    }

    /**
     * What this instance did so far: records and bytes read, records counted or aggregated (as written), dead
     * letters and Kafka Streams' commits; no flushes or positions of KSF's runtime.
     */
    public PipelineStats stats() {
        return new PipelineStats(counts.recordsIn().sum(), counts.bytesIn().sum(), counts.recordsGrouped().sum(),
                0, counts.deadLettered().sum(), 0, (long) sum("stream-thread-metrics", "commit-total"),
                Positions.empty());
    }

    /** Records behind the end of this instance's input partitions (source and repartition topics), or -1. */
    public long lag() {
        double lag = sum("consumer-fetch-manager-metrics", "records-lag");
        return Double.isNaN(lag) ? -1 : (long) lag;
    }

    /** The sum of a Kafka Streams metric over its instances (threads, partitions), NaN when there is none. */
    private double sum(String group, String metric) {
        double sum = Double.NaN;
        for (Map.Entry<MetricName, ? extends Metric> entry : streams.metrics().entrySet()) {
            MetricName key = entry.getKey();
            String client = key.tags().getOrDefault("client-id", "");
            if (key.group().equals(group) && key.name().equals(metric) && !client.endsWith("restore-consumer")
                    && entry.getValue().metricValue() instanceof Number value && !Double.isNaN(value.doubleValue())) {
                sum = (Double.isNaN(sum) ? 0 : sum) + value.doubleValue();
            }
        }
        return sum;
    }

    /**
     * Registers the pipeline's meters, tagged {@code pipeline=<name>}: KSF's {@code ksf.records.in},
     * {@code ksf.bytes.in}, {@code ksf.records.written} (counted or aggregated), {@code ksf.records.deadlettered},
     * {@code ksf.streams.lag} and {@code ksf.streams.running}, and every Kafka Streams metric (threads, tasks,
     * stores, and its clients' such as the consumer's {@code records-lag}). They are removed on {@link #close()}.
     */
    public void bindMetrics(MeterRegistry registry) {
        Tags tags = Tags.of("pipeline", name);
        this.registry = registry;
        meters.add(FunctionCounter.builder("ksf.records.in", counts.recordsIn(), LongAdder::sum)
                .description("records read from the source topics").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("ksf.bytes.in", counts.bytesIn(), LongAdder::sum).baseUnit("bytes")
                .description("key and value bytes read").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("ksf.records.written", counts.recordsGrouped(), LongAdder::sum)
                .description("records counted or aggregated").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("ksf.records.deadlettered", counts.deadLettered(), LongAdder::sum)
                .description("records sent to the dead-letter topic").tags(tags).register(registry));
        meters.add(Gauge.builder("ksf.streams.lag", this, StreamsPipeline::lag)
                .description("records behind the end of the input partitions, -1 while unknown").tags(tags)
                .register(registry));
        meters.add(Gauge.builder("ksf.streams.running", this,
                        p -> p.streams.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while Kafka Streams runs with its tasks assigned and restored").tags(tags)
                .register(registry));
        metrics = new KafkaStreamsMetrics(streams, tags);
        metrics.bindTo(registry);
    }

    /** Waits until {@link #run()} has returned; true if it has. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops Kafka Streams cleanly: commits, closes the stores and leaves the group. */
    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        if (metrics != null) {
            metrics.close();
            meters.forEach(registry::remove);
        }
        stopped.countDown();
    }
}
