package io.ksf.cli;

import com.fasterxml.jackson.databind.node.TextNode;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineHealth;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.PipelineStats;
import io.ksf.pipeline.StopSignals;
import io.ksf.spi.ConfigException;
import io.ksf.spi.KsfException;
import io.ksf.spi.Option;
import io.ksf.streams.StreamsPipeline;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Runs a pipeline until SIGTERM or Ctrl-C, then flushes and commits before exiting 0. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a pipeline until SIGTERM / Ctrl-C; then flush, commit and exit 0.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption config;

    @picocli.CommandLine.Option(names = "--http-port", defaultValue = "8080",
            description = "port of /metrics, /health/live and /health/ready; 0: off (default ${DEFAULT-VALUE})")
    int httpPort;

    @picocli.CommandLine.Option(names = "--progress-interval", defaultValue = "30s",
            description = "time between progress lines, such as 30s or 1m (a bare number is seconds); 0: none "
                    + "(default ${DEFAULT-VALUE})")
    String progressInterval;

    @Spec
    CommandSpec spec;

    /** One line every interval: rates since the last line, lag and dead letters. */
    private static final class ProgressLine implements Runnable {
        private final Supplier<PipelineStats> stats;
        private final LongSupplier lag;
        private final double seconds;
        private PipelineStats last;

        ProgressLine(Supplier<PipelineStats> stats, LongSupplier lag, double seconds) {
            this.stats = stats;
            this.lag = lag;
            this.seconds = seconds;
            this.last = stats.get();
        }

        /** Logs a line every {@code every} (none for zero) until the returned executor is shut down. */
        static ScheduledExecutorService every(Duration every, Supplier<PipelineStats> stats, LongSupplier lag) {
            ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "ksf-progress");
                thread.setDaemon(true);
                return thread;
            });
            if (!every.isZero()) {
                progress.scheduleAtFixedRate(new ProgressLine(stats, lag, every.toMillis() / 1000.0),
                        every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
            }
            return progress;
        }

        @Override
        public void run() {
            PipelineStats now = stats.get();
            long behind = lag.getAsLong();
            LOG.info(String.format(Locale.ROOT,
                    "progress: %,.0f records/s, %.2f MiB/s, lag %s, %,d dead-lettered, %,d records in, %,d commits",
                    (now.recordsIn() - last.recordsIn()) / (double) seconds,
                    (now.bytesIn() - last.bytesIn()) / (double) seconds / (1 << 20),
                    behind < 0 ? "unknown" : String.format(Locale.ROOT, "%,d", behind),
                    now.recordsDeadLettered(), now.recordsIn(), now.commits()));
            last = now;
        }
    }

    /** A duration as the config writes them (30s, 1m, PT30S), or a bare number of seconds. */
    static Duration interval(String text) {
        if (text.trim().matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(text.trim()));
        }
        try {
            return Option.duration("progress-interval", "").parse(TextNode.valueOf(text));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--progress-interval: expected a duration such as 30s or 1m, found \""
                    + text + "\"");
        }
    }

    @Override
    public Integer call() {
        Duration progressEvery;
        try {
            progressEvery = interval(progressInterval);
        } catch (ConfigException e) {
            return ValidateCommand.printProblems(spec, e);
        }
        PipelinePlan plan;
        try {
            plan = config.plan(System::getenv);
        } catch (ConfigException e) {
            return ValidateCommand.printProblems(spec, e);
        }
        LOG.info("starting\n{}", plan.summary());
        if (plan.stateful()) {
            return runOnKafkaStreams(plan, progressEvery);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Pipeline pipeline;
        try {
            pipeline = plan.build(registry);
        } catch (ConfigException e) {
            return ValidateCommand.printProblems(spec, e);
        }
        HttpEndpoints http = endpoints(pipeline::health, registry);
        ScheduledExecutorService progress = ProgressLine.every(progressEvery, pipeline::stats, pipeline::lag);
        // SIGTERM (ECS stop) and Ctrl-C stop the pipeline gracefully, so the process can exit 0 afterwards
        return runUntilStopped(pipeline::run, StopSignals.install(pipeline), http, progress);
    }

    /** Runs until the pipeline stops (it logs what it did), then stops what ran beside it; the exit code. */
    private static int runUntilStopped(Runnable run, StopSignals signals, HttpEndpoints http,
                                       ScheduledExecutorService progress) {
        try {
            run.run();
            return KsfCommand.OK;
        } catch (KsfException e) {
            LOG.error("pipeline failed: {}", e.getMessage(), e);
            return KsfCommand.FAILED;
        } finally {
            progress.shutdownNow();
            if (http != null) {
                http.close();
            }
            signals.close();
        }
    }

    /** The HTTP port's endpoints, or null when {@code --http-port} is 0. */
    private HttpEndpoints endpoints(Supplier<PipelineHealth> health, PrometheusMeterRegistry registry) {
        if (httpPort <= 0) {
            return null;
        }
        HttpEndpoints http = new HttpEndpoints(httpPort, health, registry);
        LOG.info("metrics and health on http://0.0.0.0:{}/metrics, /health/live, /health/ready", http.port());
        return http;
    }

    /** A pipeline with a stateful processor runs as a Kafka Streams application until SIGTERM / Ctrl-C. */
    private int runOnKafkaStreams(PipelinePlan plan, Duration progressEvery) {
        StreamsPipeline pipeline;
        try {
            pipeline = StreamsPipeline.of(plan.config().name(), plan.parts());
        } catch (ConfigException e) {
            return ValidateCommand.printProblems(spec, e);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        pipeline.bindMetrics(registry);
        HttpEndpoints http = endpoints(pipeline::health, registry);
        ScheduledExecutorService progress = ProgressLine.every(progressEvery, pipeline::stats, pipeline::lag);
        return runUntilStopped(pipeline::run,
                StopSignals.install(pipeline, plan.config().settings().shutdownTimeout()), http, progress);
    }
}
