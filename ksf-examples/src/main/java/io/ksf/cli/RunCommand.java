package io.ksf.cli;

import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.PipelineStats;
import io.ksf.spi.ConfigException;
import io.ksf.spi.KsfException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Runs a pipeline until SIGTERM or Ctrl-C, then flushes and commits before exiting 0. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a pipeline until SIGTERM / Ctrl-C; then flush, commit and exit 0.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PipelinePlan plan;
        try {
            plan = config.plan(System::getenv);
        } catch (ConfigException e) {
            return ValidateCommand.printProblems(spec, e);
        }
        LOG.info("starting\n{}", plan.summary());
        Pipeline pipeline;
        try {
            pipeline = plan.build();
        } catch (ConfigException e) {
            return ValidateCommand.printProblems(spec, e);
        }
        Thread stopper = new Thread(pipeline::close, "ksf-shutdown");
        Runtime.getRuntime().addShutdownHook(stopper);
        // SIGTERM (ECS stop) and Ctrl-C stop the pipeline gracefully, so the process can exit 0 afterwards
        StopSignals.install(() -> {
            LOG.info("stop signal received: flushing and committing");
            new Thread(pipeline::close, "ksf-stop").start();
        });
        try {
            PipelineStats stats = pipeline.run();
            LOG.info("stopped: {} records in, {} written, {} dead-lettered, {} commits", stats.recordsIn(),
                    stats.recordsWritten(), stats.recordsDeadLettered(), stats.commits());
            return KsfCommand.OK;
        } catch (KsfException e) {
            LOG.error("pipeline failed: {}", e.getMessage(), e);
            return KsfCommand.FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it is what stopped the pipeline
            }
        }
    }
}
