package io.ksf.pipeline;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SupportsTopicMetadata;
import io.ksf.spi.SupportsTransactionalState;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsLag;
import io.ksf.spi.SupportsPositionCommit;
import io.ksf.spi.SupportsResumePositions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * A pipeline's loop, on the thread that runs it: poll, handle the batch, flush when a threshold is met, commit what
 * became durable, pause the source while async mode holds more than its memory budget. Rebalances arrive inside
 * poll, on this thread, after every record polled before was handled.
 */
final class PollLoop implements SourceContext {
    // the pipeline's lines all come from one logger, whichever class writes them
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    /** Where a pipeline is in its store-then-commit cycle, at DEBUG: the crash tests read it to see where a kill hit. */
    static final Logger PHASES = LoggerFactory.getLogger("io.ksf.pipeline.phases");

    private final String name;
    private final Source source;
    /** Exactly-once: the target that commits the positions in its own transactions instead of the source; or null. */
    private final SupportsPositionCommit committingTarget;
    /** The target's topics, for the source (http answers metadata calls from them), or null. */
    private final SupportsTopicMetadata targetTopics;
    private final Sink sink;
    private final BatchHandler handler;
    private final PipelineSettings settings;
    private final PipelineMetrics metrics;
    private final PipelineCounters counters;
    private final Readiness readiness;
    private final ServerChecks checks;

    private static final Duration PAUSED_POLL = Duration.ofMillis(5);

    private final Set<SourcePartition> assigned = new TreeSet<>();
    /** Off once closing begins: closing a consumer revokes its partitions, and that must not flush again. */
    private volatile boolean rebalancesHandled = true;
    private boolean paused;
    private boolean pending;
    private long recordsSinceFlush;
    private long bytesSinceFlush;
    private long lastFlushNanos;
    /** The pipeline's flush interval, or less when the source asks for it (its context's latency hint). */
    private long flushIntervalNanos;
    /**
     * For records in flight: the memory budget less what the source buffers itself (its context's memory hint) and
     * a tenth for what their weight does not show (the batch being handled, unused room in staging buffers,
     * uploads); at least a quarter.
     */
    private long inFlightBudget;

    PollLoop(Source source, SupportsPositionCommit committingTarget, SupportsTopicMetadata targetTopics, Sink sink,
             BatchHandler handler, PipelineSettings settings, PipelineMetrics metrics, PipelineCounters counters,
             Readiness readiness, ServerChecks checks) {
        this.name = metrics.name();
        this.source = source;
        this.committingTarget = committingTarget;
        this.targetTopics = targetTopics;
        this.sink = sink;
        this.handler = handler;
        this.settings = settings;
        this.metrics = metrics;
        this.counters = counters;
        this.readiness = readiness;
        this.checks = checks;
        this.flushIntervalNanos = settings.flushInterval().toNanos();
        reserveMemory(0);
    }

    @Override
    public SupportsTopicMetadata targetTopics() {
        return targetTopics;
    }

    /** Loops until {@code stopping} says so, then flushes and commits; a bad record with tolerance none throws. */
    void run(BooleanSupplier stopping) {
        lastFlushNanos = System.nanoTime();
        long startupDeadline = lastFlushNanos + settings.startupTimeout().toNanos();
        boolean sourceChecked = false;
        source.open(this);
        while (!stopping.getAsBoolean()) {
            if (!sourceChecked && readiness.assignedCount() == 0 && System.nanoTime() - startupDeadline > 0) {
                sourceChecked = true;
                checks.sourceWithoutPartitions(settings.startupTimeout());
            }
            List<KsfRecord> batch = source.poll(pollTimeout());
            if (!batch.isEmpty()) {
                BatchHandler.Handled handled = handler.handle(batch);
                pending = true;
                recordsSinceFlush += handled.records();
                bytesSinceFlush += handled.bytes();
                if (handled.stop() != null) {
                    flushAndCommit();
                    throw handled.stop();
                }
            }
            if (dueForFlush() && sink.flush()) {
                resetThresholds();
            }
            commit(sink.takeDurable());
            if (!pending && sink.inFlightBytes() == 0) {
                readiness.durable(); // idle with nothing waiting counts as healthy as a flush
            }
            applyBackpressure();
            if (source instanceof SupportsLag lagging) {
                metrics.refreshLag(lagging::lag);
            }
        }
        flushAndCommit();
    }

    /** Called as closing begins: the revocation that closing the source causes needs no flush. */
    void ignoreRebalances() {
        rebalancesHandled = false;
    }

    /** The poll timeout, shortened so that records waiting for the flush interval are flushed on time. */
    private Duration pollTimeout() {
        if (!pending) {
            return settings.pollTimeout();
        }
        if (paused) {
            return PAUSED_POLL; // nothing arrives while paused: come back soon to flush or commit
        }
        long left = flushIntervalNanos - (System.nanoTime() - lastFlushNanos);
        if (left <= 0) {
            // overdue: async mode's flush under way refused another, so wait a little
            left = Math.max(flushIntervalNanos, 1_000_000);
        }
        return left < settings.pollTimeout().toNanos() ? Duration.ofNanos(left) : settings.pollTimeout();
    }

    /** A threshold is met, or the memory budget paused polling: only a flush frees memory then. */
    private boolean dueForFlush() {
        return pending && (recordsSinceFlush >= settings.flushRecords() || bytesSinceFlush >= settings.flushBytes()
                || System.nanoTime() - lastFlushNanos >= flushIntervalNanos || paused);
    }

    private void resetThresholds() {
        pending = false;
        recordsSinceFlush = 0;
        bytesSinceFlush = 0;
        lastFlushNanos = System.nanoTime();
    }

    /** Makes everything handed over durable, then commits it synchronously (stop, revoke, fatal record). */
    private void flushAndCommit() {
        sink.awaitFlush();
        commit(sink.takeDurable()); // the generation under way is committed before the next one is stored
        sink.drain();
        resetThresholds();
        commit(sink.takeDurable());
    }

    /** Commits synchronously in both modes: async mode starts its next flush only once this returned. */
    private void commit(Positions positions) {
        if (positions.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        PHASES.debug("commit started");
        if (committingTarget != null) {
            committingTarget.commit(positions);
            if (source instanceof SupportsTransactionalState) {
                source.commit(positions); // its state is in the transaction; what it does on commit follows it
            }
        } else {
            source.commit(positions);
        }
        PHASES.debug("commit done");
        LOG.debug("pipeline '{}': committed {}", name, positions);
        counters.committed(positions, System.nanoTime() - start);
    }

    /** Async mode: pause every assigned partition while the bytes in flight exceed their share of the budget. */
    private void applyBackpressure() {
        long inFlight = sink.inFlightBytes();
        if (!paused && inFlight > inFlightBudget) {
            paused = true;
            LOG.debug("pipeline '{}': pausing {}: {} bytes in flight exceed the memory budget", name, assigned,
                    inFlight);
            source.pause(assigned);
        } else if (paused && inFlight <= inFlightBudget / 2) {
            paused = false;
            source.resume(assigned);
        }
    }

    @Override
    public void limitLatency(Duration maxLatency) {
        flushIntervalNanos = Math.min(maxLatency.toNanos(), settings.flushInterval().toNanos());
    }

    @Override
    public void reserveMemory(long bytes) {
        inFlightBudget = Math.max(settings.memoryBudget() / 4, settings.memoryBudget() * 9 / 10 - bytes);
    }

    @Override
    public void assigned(Collection<SourcePartition> partitions) {
        Positions resumeAt = source instanceof SupportsResumePositions resumable
                ? resumable.resumePositions(partitions) : Positions.empty();
        if (!resumeAt.isEmpty()) {
            sink.recover(resumeAt); // before any record of these partitions reaches the target
        }
        assigned.addAll(partitions);
        readiness.assigned(assigned.size());
        if (paused) {
            source.pause(partitions);
        }
    }

    @Override
    public void revoked(Collection<SourcePartition> partitions) {
        if (!rebalancesHandled) {
            return;
        }
        LOG.info("pipeline '{}': partitions revoked: {}; flushing and committing before giving them up", name,
                partitions);
        flushAndCommit();
        assigned.removeAll(partitions);
        readiness.revoked(assigned.size());
    }

    @Override
    public void lost(Collection<SourcePartition> partitions) {
        if (!rebalancesHandled) {
            return;
        }
        LOG.warn("pipeline '{}': partitions lost: {}; dropping their buffered records without committing", name,
                partitions);
        sink.discard(partitions);
        assigned.removeAll(partitions);
        readiness.revoked(assigned.size());
    }
}
