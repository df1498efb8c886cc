package io.ksf.testkit;

import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineStats;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** A pipeline running on its own thread, for tests: wait for a condition, then stop it and get its result. */
public final class RunningPipeline implements AutoCloseable {
    private final Pipeline pipeline;
    private final CompletableFuture<PipelineStats> result = new CompletableFuture<>();

    private RunningPipeline(Pipeline pipeline) {
        this.pipeline = pipeline;
        Thread thread = new Thread(() -> {
            try {
                result.complete(pipeline.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "ksf-pipeline-under-test");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs the pipeline on a thread of its own. */
    public static RunningPipeline start(Pipeline pipeline) {
        return new RunningPipeline(pipeline);
    }

    /** The pipeline that runs. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** Waits until the condition holds, or fails the test after the timeout (or if the pipeline ended). */
    public RunningPipeline awaitUntil(BooleanSupplier condition, Duration timeout) {
        Wait.until(() -> {
            if (result.isDone() && !condition.getAsBoolean()) {
                throw new AssertionError("the pipeline ended before the condition held: " + outcome());
            }
            return condition.getAsBoolean();
        }, timeout, "pipeline condition");
        return this;
    }

    /** Stops the pipeline gracefully and returns its stats; rethrows what made it fail. */
    public PipelineStats stop() {
        pipeline.close();
        return result();
    }

    /** The result once the pipeline ended by itself (a failure), within 30 s. */
    public PipelineStats result() {
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the pipeline did not end within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The failure that ended the pipeline, waiting up to 30 s for it. */
    public Throwable failure() {
        try {
            result.get(30, TimeUnit.SECONDS);
            throw new AssertionError("the pipeline ended without a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException | InterruptedException e) {
            throw new AssertionError("the pipeline did not fail within 30 s");
        }
    }

    private String outcome() {
        try {
            return String.valueOf(result.getNow(null));
        } catch (Exception e) {
            return e.getCause() == null ? e.toString() : e.getCause().toString();
        }
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
