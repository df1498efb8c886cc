package io.ksf.pipeline;

import io.ksf.spi.Check;
import io.ksf.spi.ConfigException;
import io.ksf.spi.KsfException;
import io.ksf.spi.Processor;
import io.ksf.spi.Source;
import io.ksf.spi.SupportsPositionCommit;
import io.ksf.spi.SupportsTopicMetadata;
import io.ksf.spi.SupportsTransactionalState;
import io.ksf.spi.SupportsUndecoded;
import io.ksf.spi.Target;
import io.ksf.support.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

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
 * <p>The loop ({@code PollLoop}), on the thread that calls {@link #run()}:
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
    private final List<Processor> processors;
    private final Target target;
    private final Target deadLetter;
    private final PipelineSettings settings;
    private final PipelineMetrics metrics;
    private final PipelineCounters counters;
    private final Readiness readiness;
    private final ServerChecks checks;
    private final Sink sink;
    private final PollLoop loop;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;

    Pipeline(PipelineBuilder b) {
        this.settings = b.effectiveSettings();
        this.source = b.source;
        this.processors = List.copyOf(b.processors);
        this.target = b.target;
        this.deadLetter = b.deadLetter;
        this.readiness = new Readiness(b.readyWindow);
        this.checks = new ServerChecks(source, target, deadLetter);
        this.metrics = new PipelineMetrics(b.registry, b.name, this::inFlightBytes, settings.memoryBudget());
        this.counters = new PipelineCounters(metrics);
        Retry retry = new Retry(settings.retryTimeout(), settings.retryBackoff(), Duration.ofSeconds(30),
                metrics.retries::increment);
        LongConsumer onFlush = nanos -> {
            long flushes = counters.flushed(nanos);
            readiness.durable();
            LOG.debug("pipeline '{}': flush {} made everything written durable in {} ms", metrics.name(), flushes,
                    nanos / 1_000_000);
        };
        SupportsPositionCommit committingTarget = target instanceof SupportsPositionCommit committing
                && committing.bindPositionsOf(source) ? committing : null;
        boolean targetCommits = committingTarget != null;
        if (!targetCommits && source instanceof SupportsTransactionalState state && state.stateTopic() != null) {
            throw new ConfigException("the source keeps its state in topic " + state.stateTopic() + " (such as the "
                    + "http source's idempotency.topic), which needs the kafka target with exactly.once");
        }
        SourceNotices notices = SourceNotices.of(source);
        boolean async = settings.mode() == PipelineSettings.Mode.ASYNC;
        if (targetCommits && async) {
            // a transaction must hold exactly the records of one flush, so nothing may be written beside it
            LOG.info("pipeline '{}': the target commits positions in its transactions, so flushes run on the poll "
                    + "thread (async mode does not apply)", metrics.name());
        }
        // sync mode polls on while a flush stores, holding those records back; a transaction holds exactly one flush
        this.sink = async && !targetCommits ? new AsyncSink(target, deadLetter, notices, retry, onFlush)
                : targetCommits ? new DirectSink(target, deadLetter, notices, retry, onFlush)
                : new ReadAheadSink(new DirectSink(target, deadLetter, notices, retry, onFlush));
        boolean decodeAll = !target.takesUndecoded(b.sourceFormat) || processors.stream().anyMatch(p ->
                !(p instanceof SupportsUndecoded undecoded && undecoded.takesUndecoded(b.sourceFormat)));
        BatchHandler handler = new BatchHandler(b.sourceFormat, processors, decodeAll, settings.tolerance(),
                counters, sink);
        this.loop = new PollLoop(source, committingTarget,
                target instanceof SupportsTopicMetadata topics ? topics : null, sink, handler, settings, metrics,
                counters, readiness, checks);
    }

    /** A builder; source (with its format) and target are required. */
    public static PipelineBuilder builder() {
        return new PipelineBuilder();
    }

    /** The settings in effect, after the builder's calls and defaults. */
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
            loop.run(() -> stopping);
            failed = false;
            PipelineStats stats = stats();
            LOG.info("pipeline '{}' stopped: {} records in, {} written, {} filtered, {} dead-lettered, {} commits",
                    metrics.name(), stats.recordsIn(), stats.recordsWritten(), stats.recordsFiltered(),
                    stats.recordsDeadLettered(), stats.commits());
            return stats;
        } catch (RuntimeException e) {
            readiness.failed(e.getMessage());
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
                LOG.warn("pipeline '{}' did not stop within {}", metrics.name(), settings.shutdownTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@link #run()} has returned or thrown; true if it has. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What the pipeline has done so far; safe from any thread. */
    public PipelineStats stats() {
        return counters.stats();
    }

    /** Records behind the end of the assigned partitions at the last look (every second), or -1 when unknown. */
    public long lag() {
        return metrics.totalLag();
    }

    /**
     * Live while {@link #run()} has not failed; ready once partitions are assigned and the last flush succeeded
     * (or the assignment happened) within the ready window.
     */
    public PipelineHealth health() {
        return readiness.health(finished.getCount() > 0 || !started.get());
    }

    private long inFlightBytes() {
        Sink current = sink;
        return current == null ? 0 : current.inFlightBytes();
    }

    private void closeAll(boolean failed) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (failed) {
            LOG.warn("pipeline '{}' stopped on an error; positions after {} were not committed", metrics.name(),
                    counters.committed());
        }
        loop.ignoreRebalances();
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
}
