package io.ksf.pipeline;

import io.ksf.pipeline.PipelineSettings.Tolerance;
import io.ksf.spi.Check;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.PartitionListener;
import io.ksf.spi.Positions;
import io.ksf.spi.Processor;
import io.ksf.spi.Source;
import io.ksf.spi.Target;
import io.ksf.spi.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * Moves records from a source, through processors, into a target, and commits only what the target made durable.
 *
 * <pre>{@code
 * try (Pipeline pipeline = Pipeline.builder()
 *         .source(source, jsonFormat)
 *         .processor(record -> List.of(record.withData(enrich(record.data()))))
 *         .target(target)
 *         .deadLetter(deadLetterTarget)
 *         .build()) {
 *     pipeline.run();              // blocks until close() is called from another thread, or a fatal error
 * }
 * }</pre>
 *
 * <p>The loop, on the thread that calls {@link #run()}:
 * <ol>
 *   <li>poll the source;</li>
 *   <li>decode each value with the source format, unless nothing needs decoded data;</li>
 *   <li>run the processors (0..n records out of each); a record that fails goes to the dead letters with its
 *       origin and error, or stops the pipeline when the tolerance is {@code none};</li>
 *   <li>write the results to the target;</li>
 *   <li>when the records, bytes or interval threshold is met: flush the target and the dead letters, retrying
 *       retriable failures with backoff, then commit the positions they returned (and those of records the
 *       processors dropped). A failed flush commits nothing.</li>
 * </ol>
 * {@link #close()} stops it gracefully: flush, commit, then close source, processors and targets.
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final Source source;
    private final Format sourceFormat;
    private final List<Processor> processors;
    private final Target target;
    private final Target deadLetter;
    private final PipelineSettings settings;
    private final boolean decodeAll;
    private final Retry retry;
    private final PipelineMetrics metrics;
    private final Duration readyWindow;
    private final ServerChecks checks;
    /** Exactly-once: the target commits the positions in its own transaction, instead of the source. */
    private final boolean targetCommits;
    private volatile long assignedAtNanos;
    private volatile long lastDurableNanos = -1;
    private volatile int assignedCount;
    private long lastLagNanos;
    private volatile long totalLag = -1;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile String failure;

    // state of the poll thread
    private final Sink sink;
    private final java.util.Set<TopicPartition> assigned = new java.util.TreeSet<>();
    private boolean paused;
    private boolean pending;
    private volatile boolean rebalancesHandled = true;
    private long recordsSinceFlush;
    private long bytesSinceFlush;
    private long lastFlushNanos;

    // counters read from other threads
    private volatile long recordsIn;
    private volatile long bytesIn;
    private volatile long recordsWritten;
    private volatile long recordsFiltered;
    private volatile long recordsDeadLettered;
    private volatile long flushes;
    private volatile long commits;
    private volatile Positions committed = Positions.empty();

    private Pipeline(Builder b) {
        this.source = b.source;
        this.sourceFormat = b.sourceFormat;
        this.processors = List.copyOf(b.processors);
        this.target = b.target;
        this.deadLetter = b.deadLetter;
        PipelineSettings s = b.effectiveSettings();
        if (b.tolerance != null) {
            s = s.withTolerance(b.tolerance);
        } else if (!b.settingsGiven) {
            s = s.withTolerance(deadLetter != null ? Tolerance.ALL : Tolerance.NONE);
        }
        if (s.tolerance() == Tolerance.ALL && deadLetter == null) {
            throw new KsfException("tolerance ALL needs a dead-letter target, or bad records would be lost");
        }
        this.settings = s;
        this.decodeAll = !processors.isEmpty() || !target.writesRaw(sourceFormat);
        this.readyWindow = b.readyWindow;
        this.checks = new ServerChecks(source, target, deadLetter);
        this.metrics = new PipelineMetrics(b.registry, b.name, this::inFlightBytes, s.memoryBudget());
        this.retry = new Retry(s.retryTimeout(), s.retryBackoff(), Duration.ofSeconds(30), metrics.retries::increment);
        java.util.function.LongConsumer onFlush = nanos -> {
            flushes++;
            metrics.flushed(nanos);
            lastDurableNanos = System.nanoTime();
            LOG.debug("pipeline '{}': flush {} made everything written durable in {} ms", metrics.name(), flushes,
                    nanos / 1_000_000);
        };
        this.targetCommits = target.commitsPositionsOf(source);
        if (targetCommits && s.mode() == PipelineSettings.Mode.ASYNC) {
            // a transaction must hold exactly the records of one flush, so nothing may be written beside it
            LOG.info("pipeline '{}': the target commits positions in its transactions, so flushes run on the poll "
                    + "thread (async mode does not apply)", metrics.name());
        }
        this.sink = s.mode() == PipelineSettings.Mode.ASYNC && !targetCommits
                ? new AsyncSink(target, deadLetter, retry, onFlush)
                : new DirectSink(target, deadLetter, retry, onFlush);
    }

    public static Builder builder() {
        return new Builder();
    }

    public PipelineSettings settings() {
        return settings;
    }

    /**
     * Runs until {@link #close()} is called from another thread, then flushes, commits and closes everything.
     *
     * @return what the pipeline did
     * @throws KsfException when a flush fails for good, or a bad record meets tolerance {@code none}; nothing
     *                      that was not durable is committed, and everything is closed
     */
    public PipelineStats run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a pipeline runs once");
        }
        boolean failed = true;
        try {
            checks.awaitTargets(settings.startupTimeout(), () -> stopping);
            LOG.info("pipeline '{}' starting: mode {}, flush every {} records, {} bytes or {}, tolerance {}",
                    metrics.name(), settings.mode().name().toLowerCase(Locale.ROOT), settings.flushRecords(),
                    settings.flushBytes(), settings.flushInterval(),
                    settings.tolerance().name().toLowerCase(Locale.ROOT));
            lastFlushNanos = System.nanoTime();
            long startupDeadline = lastFlushNanos + settings.startupTimeout().toNanos();
            boolean sourceChecked = false;
            source.open(new Rebalances());
            while (!stopping) {
                if (!sourceChecked && assignedCount == 0 && System.nanoTime() - startupDeadline > 0) {
                    sourceChecked = true;
                    checks.sourceWithoutPartitions(settings.startupTimeout());
                }
                List<KsfRecord> batch = source.poll(settings.pollTimeout());
                KsfException stop = handle(batch);
                if (stop != null) {
                    flushAndCommit();
                    throw stop;
                }
                if (dueForFlush() && sink.flush()) {
                    resetThresholds();
                }
                commit(sink.takeDurable());
                applyBackpressure();
                refreshLag();
            }
            flushAndCommit();
            failed = false;
            PipelineStats stats = stats();
            LOG.info("pipeline '{}' stopped: {} records in, {} written, {} filtered, {} dead-lettered, {} commits",
                    metrics.name(), stats.recordsIn(), stats.recordsWritten(), stats.recordsFiltered(),
                    stats.recordsDeadLettered(), stats.commits());
            return stats;
        } catch (RuntimeException e) {
            failure = e.getMessage();
            throw e;
        } finally {
            closeAll(failed);
            finished.countDown();
        }
    }

    /**
     * Checks the servers of the source, the target and the dead-letter destination, with a probe write into each
     * target, as {@code ksf check} does. Safe before {@link #run()}; every check ends within {@code timeout}.
     *
     * @return one entry per check, the subject prefixed by {@code source}, {@code target} or {@code deadletter}
     */
    public List<Check> check(Duration timeout) {
        return checks.all(timeout);
    }

    /**
     * Stops a running pipeline gracefully and waits for it, up to the shutdown timeout; closes an idle one at
     * once. Safe from any thread, and more than once.
     */
    @Override
    public void close() {
        stopping = true;
        source.wakeup();
        if (!started.get()) {
            if (started.compareAndSet(false, true)) {
                closeAll(false);
                finished.countDown();
            }
            return;
        }
        try {
            if (!finished.await(settings.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("pipeline did not stop within {}", settings.shutdownTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@link #run()} has returned or thrown. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public PipelineStats stats() {
        return new PipelineStats(recordsIn, bytesIn, recordsWritten, recordsFiltered, recordsDeadLettered, flushes,
                commits, committed);
    }

    /** Handles a batch; returns the error that stops the pipeline (tolerance none), after the records before it. */
    private KsfException handle(List<KsfRecord> batch) {
        if (batch.isEmpty()) {
            return null;
        }
        KsfException stop = null;
        int handled = 0;
        List<KsfRecord> out = new ArrayList<>(batch.size());
        List<KsfRecord> bad = new ArrayList<>();
        Map<TopicPartition, Long> droppedNext = new HashMap<>();
        long inBytes = 0;
        try {
            for (KsfRecord record : batch) {
                handled++;
                inBytes += record.sizeInBytes();
                pending = true;
                int before = out.size();
                try {
                    process(record, out);
                } catch (RuntimeException e) {
                    if (settings.tolerance() == Tolerance.NONE) {
                        stop = new KsfException("record " + record.origin() + " failed: " + e.getMessage()
                                + "; errors.tolerance is none, so the pipeline stops before it", e);
                        break;
                    }
                    LOG.debug("record {} goes to the dead letters: {}", record.origin(), e.toString());
                    bad.add(DeadLetters.of(record, e));
                    continue;
                }
                if (out.size() == before) {
                    recordsFiltered++;
                    metrics.recordsFiltered.increment();
                    droppedNext.merge(record.topicPartition(), record.offset() + 1, Math::max);
                }
            }
        } finally {
            // records handled before a failure still reach the target, so a stop can flush and commit them
            recordsIn += handled;
            bytesIn += inBytes;
            metrics.recordsIn.increment(handled);
            metrics.bytesIn.increment(inBytes);
            metrics.recordsWritten.increment(out.size());
            metrics.recordsDeadLettered.increment(bad.size());
            recordsSinceFlush += handled;
            bytesSinceFlush += inBytes;
            sink.write(out, bad, droppedNext, heldBytes(out) + heldBytes(bad));
            recordsWritten += out.size();
            recordsDeadLettered += bad.size();
        }
        return stop;
    }

    /**
     * What records hold in memory, for the async memory budget: decoded data weighs several times its bytes
     * (JMH: 2 to 4 KB allocated per decoded record of 0.2 to 2 KiB), and every record has a fixed overhead.
     */
    private static long heldBytes(List<KsfRecord> records) {
        long held = 0;
        for (KsfRecord record : records) {
            held += (record.decoded() ? 4L : 1L) * record.sizeInBytes() + 96;
        }
        return held;
    }

    private void process(KsfRecord record, List<KsfRecord> out) {
        KsfRecord current = record;
        if (record.value() != null && (decodeAll || !sourceFormat.writesRaw(record.value()))) {
            current = record.withData(sourceFormat.decode(record.value()));
        }
        if (processors.isEmpty()) {
            out.add(current);
            return;
        }
        List<KsfRecord> stage = List.of(current);
        for (Processor processor : processors) {
            List<KsfRecord> next = new ArrayList<>(stage.size());
            for (KsfRecord r : stage) {
                List<KsfRecord> produced = processor.process(r);
                if (produced == null) {
                    throw new InvalidRecordException("processor " + processor.getClass().getName()
                            + " returned null instead of a list of records (List.of() drops a record)");
                }
                next.addAll(produced);
            }
            stage = next;
        }
        out.addAll(stage);
    }

    private boolean dueForFlush() {
        return pending && (recordsSinceFlush >= settings.flushRecords() || bytesSinceFlush >= settings.flushBytes()
                || System.nanoTime() - lastFlushNanos >= settings.flushInterval().toNanos());
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
        if (targetCommits) {
            target.commit(positions);
        } else {
            source.commit(positions);
        }
        LOG.debug("pipeline '{}': committed {}", metrics.name(), positions);
        metrics.commit.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        committed = committed.merge(positions);
        commits++;
    }

    /** Consumer lag per partition, for the gauge and the progress line; every second, on the poll thread. */
    private void refreshLag() {
        long now = System.nanoTime();
        if (now - lastLagNanos < 1_000_000_000L) {
            return;
        }
        lastLagNanos = now;
        Map<TopicPartition, Long> lag = source.lag();
        metrics.lag(lag);
        totalLag = lag.isEmpty() ? -1 : lag.values().stream().mapToLong(Long::longValue).sum();
    }

    private long inFlightBytes() {
        Sink current = sink;
        return current == null ? 0 : current.inFlightBytes();
    }

    /** Records behind the end of the assigned partitions at the last look (every second), or -1 when unknown. */
    public long lag() {
        return totalLag;
    }

    /**
     * Live while {@link #run()} has not failed; ready once partitions are assigned and the last flush succeeded
     * (or the assignment happened) within the ready window.
     */
    public Health health() {
        boolean live = finished.getCount() > 0 || !started.get();
        if (!live) {
            String why = failure;
            return new Health(false, false, why == null ? "the pipeline has stopped" : "the pipeline failed: " + why);
        }
        if (assignedCount == 0) {
            return new Health(true, false, "no partitions assigned");
        }
        long last = Math.max(assignedAtNanos, lastDurableNanos);
        long age = System.nanoTime() - last;
        if (age > readyWindow.toNanos()) {
            return new Health(true, false, "no successful flush for " + age / 1_000_000_000 + " s");
        }
        return new Health(true, true, "assigned " + assignedCount + " partitions");
    }

    /** What a container platform asks: should the process be restarted (live), may it take traffic (ready). */
    public record Health(boolean live, boolean ready, String reason) {
    }

    private void resetThresholds() {
        pending = false;
        recordsSinceFlush = 0;
        bytesSinceFlush = 0;
        lastFlushNanos = System.nanoTime();
    }

    /** Async mode: pause every assigned partition while the bytes in flight exceed the budget. */
    private void applyBackpressure() {
        long inFlight = sink.inFlightBytes();
        if (!paused && inFlight > settings.memoryBudget()) {
            paused = true;
            LOG.debug("pausing {}: {} bytes in flight exceed the memory budget", assigned, inFlight);
            source.pause(assigned);
        } else if (paused && inFlight <= settings.memoryBudget() / 2) {
            paused = false;
            source.resume(assigned);
        }
    }

    private void closeAll(boolean failed) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (failed) {
            LOG.warn("pipeline stopped on an error; positions after {} were not committed", committed);
        }
        // closing a consumer revokes its partitions: the final commit is done (or must not happen after a failure)
        rebalancesHandled = false;
        for (Processor processor : processors) {
            closeQuietly(processor, "processor");
        }
        closeQuietly(sink, "flush worker");
        closeQuietly(target, "target");
        if (deadLetter != null) {
            closeQuietly(deadLetter, "dead-letter target");
        }
        closeQuietly(source, "source");
        metrics.close();
    }

    private static void closeQuietly(AutoCloseable closeable, String what) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing the {} failed: {}", what, e.toString());
        }
    }

    /** Rebalances arrive during poll, on the poll thread, after every record polled before was handled. */
    private final class Rebalances implements PartitionListener {
        @Override
        public void onAssigned(Collection<TopicPartition> partitions) {
            Positions resumeAt = source.resumePositions(partitions);
            if (!resumeAt.isEmpty()) {
                sink.recover(resumeAt); // before any record of these partitions reaches the target
            }
            assigned.addAll(partitions);
            assignedCount = assigned.size();
            assignedAtNanos = System.nanoTime();
            if (paused) {
                source.pause(partitions);
            }
        }

        @Override
        public void onRevoked(Collection<TopicPartition> partitions) {
            if (!rebalancesHandled) {
                return;
            }
            LOG.info("partitions revoked: {}; flushing and committing before giving them up", partitions);
            flushAndCommit();
            assigned.removeAll(partitions);
            assignedCount = assigned.size();
        }

        @Override
        public void onLost(Collection<TopicPartition> partitions) {
            if (!rebalancesHandled) {
                return;
            }
            LOG.warn("partitions lost: {}; dropping their buffered records without committing", partitions);
            sink.discard(partitions);
            assigned.removeAll(partitions);
            assignedCount = assigned.size();
        }
    }

    /** Builds a {@link Pipeline}. Source, source format and target are required. */
    public static final class Builder {
        private Source source;
        private Format sourceFormat;
        private final List<Processor> processors = new ArrayList<>();
        private Target target;
        private Target deadLetter;
        private Tolerance tolerance;
        private PipelineSettings settings = PipelineSettings.defaults();
        private boolean settingsGiven;
        /** Calls such as mode() or flushEvery(), applied over settings() whatever the order of the calls. */
        private final List<UnaryOperator<PipelineSettings>> adjustments = new ArrayList<>();
        private io.micrometer.core.instrument.MeterRegistry registry = io.micrometer.core.instrument.Metrics.globalRegistry;
        private String name = "ksf";
        private Duration readyWindow = Duration.ofMinutes(5);

        private Builder() {
        }

        /** Where the pipeline's meters go; default Micrometer's global registry. */
        public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /** The pipeline's name, as the {@code pipeline} tag of its meters. */
        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        /** How recent the last successful flush must be for {@link Pipeline#health()} to say ready. */
        public Builder readyWindow(Duration value) {
            this.readyWindow = Objects.requireNonNull(value, "readyWindow");
            return this;
        }

        /** Where records come from, and the format of their values. */
        public Builder source(Source value, Format format) {
            this.source = value;
            this.sourceFormat = format;
            return this;
        }

        /** Adds a processor; they run in the order added. */
        public Builder processor(Processor value) {
            processors.add(Objects.requireNonNull(value, "processor"));
            return this;
        }

        public Builder processors(List<? extends Processor> values) {
            values.forEach(this::processor);
            return this;
        }

        public Builder target(Target value) {
            this.target = value;
            return this;
        }

        /** Where bad records go; with one, the tolerance defaults to {@code ALL}. */
        public Builder deadLetter(Target value) {
            this.deadLetter = value;
            return this;
        }

        /** What a bad record does; wins over the tolerance of {@link #settings}, whatever the order of the calls. */
        public Builder tolerance(Tolerance value) {
            this.tolerance = Objects.requireNonNull(value, "tolerance");
            return this;
        }

        /**
         * Every setting at once (from a config, say). The other calls of this builder ({@link #mode},
         * {@link #flushEvery}, {@link #memoryBudget}, {@link #pollTimeout}, {@link #tolerance}) win over it,
         * before or after.
         */
        public Builder settings(PipelineSettings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            this.settingsGiven = true;
            return this;
        }

        /** Flush and commit after this many records, or bytes, or this much time, whichever comes first. */
        public Builder flushEvery(int records, long bytes, Duration interval) {
            return adjust(s -> s.withFlush(records, bytes, Objects.requireNonNull(interval, "interval")));
        }

        /** Sync (the default) or async: flushes on a worker thread while polling goes on. */
        public Builder mode(PipelineSettings.Mode value) {
            return adjust(s -> s.withMode(Objects.requireNonNull(value, "mode")));
        }

        /** Async mode: bytes in flight before every partition is paused. */
        public Builder memoryBudget(long bytes) {
            return adjust(s -> s.withMemoryBudget(bytes));
        }

        public Builder pollTimeout(Duration value) {
            return adjust(s -> s.withPollTimeout(Objects.requireNonNull(value, "pollTimeout")));
        }

        /** Keeps an adjustment, after trying it once so that a bad value fails here and not at build(). */
        private Builder adjust(UnaryOperator<PipelineSettings> adjustment) {
            adjustment.apply(settings);
            adjustments.add(adjustment);
            return this;
        }

        private PipelineSettings effectiveSettings() {
            PipelineSettings effective = settings;
            for (UnaryOperator<PipelineSettings> adjustment : adjustments) {
                effective = adjustment.apply(effective);
            }
            return effective;
        }

        /**
         * @throws IllegalStateException naming what is missing: the source (with its format) or the target
         */
        public Pipeline build() {
            if (source == null || sourceFormat == null) {
                throw new IllegalStateException("Pipeline.Builder: no source; call source(source, format) with both "
                        + "before build()");
            }
            if (target == null) {
                throw new IllegalStateException("Pipeline.Builder: no target; call target(target) before build()");
            }
            return new Pipeline(this);
        }
    }
}
