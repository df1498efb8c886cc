package io.ksf.pipeline;

import java.time.Duration;

/**
 * What {@link Pipeline#health()} is computed from: the assignment, the last durable flush and the failure, written
 * by the poll thread (or the flush worker) and read by health endpoints on other threads.
 */
final class Readiness {
    private final Duration readyWindow;
    private volatile int assignedCount;
    private volatile long assignedAtNanos;
    private volatile long lastDurableNanos = -1;
    private volatile String failure;

    Readiness(Duration readyWindow) {
        this.readyWindow = readyWindow;
    }

    void assigned(int count) {
        assignedCount = count;
        assignedAtNanos = System.nanoTime();
    }

    void revoked(int remaining) {
        assignedCount = remaining;
    }

    int assignedCount() {
        return assignedCount;
    }

    void durable() {
        lastDurableNanos = System.nanoTime();
    }

    void failed(String message) {
        failure = message;
    }

    /** The health of a pipeline that is running ({@code running}) or has stopped. */
    PipelineHealth health(boolean running) {
        if (!running) {
            String why = failure;
            return new PipelineHealth(false, false, why == null ? "the pipeline has stopped"
                    : "the pipeline failed: " + why);
        }
        if (assignedCount == 0) {
            return new PipelineHealth(true, false, "no partitions assigned");
        }
        long age = System.nanoTime() - Math.max(assignedAtNanos, lastDurableNanos);
        if (age > readyWindow.toNanos()) {
            return new PipelineHealth(true, false, "no successful flush for " + age / 1_000_000_000 + " s");
        }
        return new PipelineHealth(true, true, "assigned " + assignedCount + " partitions");
    }
}
