package io.ksf.pipeline;

/**
 * What a container platform asks of a pipeline: should the process be restarted (not live), may it take traffic
 * (ready).
 *
 * @param live   false once the pipeline has stopped or failed
 * @param ready  partitions are assigned and the last flush (or the assignment) is recent enough
 * @param reason one line that says why, for the health endpoints
 */
public record PipelineHealth(boolean live, boolean ready, String reason) {
}
