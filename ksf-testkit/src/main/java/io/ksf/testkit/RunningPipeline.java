package io.ksf.testkit;

import io.ksf.contract.RunningTask;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineStats;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A pipeline running on its own thread, for tests: wait for a condition, then stop it and get its result. */
public final class RunningPipeline extends RunningTask<PipelineStats> {
    private final Pipeline pipeline;

    private RunningPipeline(Pipeline pipeline) {
        super("ksf-pipeline-under-test", pipeline::run, pipeline::close);
        this.pipeline = pipeline;
    }

    /** Runs the pipeline on a thread of its own. */
    public static RunningPipeline start(Pipeline pipeline) {
        return new RunningPipeline(pipeline);
    }

    /** The pipeline that runs. */
    public Pipeline pipeline() {
        return pipeline;
    }

    @Override
    public RunningPipeline awaitUntil(BooleanSupplier condition, Duration timeout) {
        super.awaitUntil(condition, timeout);
        return this;
    }
}
