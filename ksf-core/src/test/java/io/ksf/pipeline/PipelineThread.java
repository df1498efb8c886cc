package io.ksf.pipeline;

import io.ksf.contract.RunningTask;

/** Runs a pipeline under test on a thread of its own. */
final class PipelineThread {
    private PipelineThread() {
    }

    static RunningTask<PipelineStats> start(Pipeline pipeline) {
        return RunningTask.start("ksf-pipeline-under-test", pipeline::run, pipeline::close);
    }
}
