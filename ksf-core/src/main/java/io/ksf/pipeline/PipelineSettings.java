package io.ksf.pipeline;

import io.ksf.spi.ConfigException;
import io.ksf.spi.Option;
import io.ksf.spi.Options;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How a pipeline runs: the {@code pipeline} section (mode, flush thresholds, timeouts) and the {@code errors}
 * section (tolerance, retries) of a config. Immutable; the {@code with...} methods return copies.
 *
 * @param mode           sync: poll, write, flush and commit on one thread; async: flushes run beside polling
 * @param flushRecords   records polled since the last flush that trigger a flush and commit
 * @param flushBytes     value bytes polled since the last flush that trigger a flush and commit
 * @param flushInterval  time since the last flush that triggers one, when anything is pending
 * @param pollTimeout    how long one poll waits for records
 * @param shutdownTimeout how long a graceful stop may take to flush and commit
 * @param startupTimeout how long the targets' start-up checks may take, and how long the source may stay without
 *                       a partition before its servers are checked and the pipeline fails if they are at fault
 * @param memoryBudget   bytes of records in flight (async mode) before partitions are paused
 * @param tolerance      what a bad record does: {@code all} sends it to the dead letters, {@code none} stops
 * @param retryTimeout   how long a retriable target failure is retried before the pipeline stops
 * @param retryBackoff   the first wait between retries; it doubles, with jitter, up to 30 s
 */
public record PipelineSettings(Mode mode, int flushRecords, long flushBytes, Duration flushInterval,
                               Duration pollTimeout, Duration shutdownTimeout, Duration startupTimeout,
                               long memoryBudget, Tolerance tolerance, Duration retryTimeout, Duration retryBackoff) {

    /** Sync flushes on the poll thread; async on a worker while polling goes on. */
    public enum Mode { SYNC, ASYNC }

    /** What a bad record does: go to the dead letters (ALL), or stop the pipeline (NONE). */
    public enum Tolerance { ALL, NONE }

    public static final Option<String> MODE = Option.choice("mode",
            "sync polls, writes, flushes and commits on one thread, polling on while a flush stores; async writes and flushes beside polling", "sync", "async")
            .defaultValue("sync");
    public static final Option<Integer> FLUSH_RECORDS = Option.integer("flush.records",
            "records polled since the last flush that trigger a flush and commit").defaultValue(10_000);
    public static final Option<Long> FLUSH_BYTES = Option.size("flush.bytes",
            "value bytes polled since the last flush that trigger a flush and commit").defaultValue(64L << 20);
    public static final Option<Duration> FLUSH_INTERVAL = Option.duration("flush.interval",
            "time since the last flush that triggers one when records are pending").defaultValue(Duration.ofSeconds(30));
    public static final Option<Duration> POLL_TIMEOUT = Option.duration("poll.timeout",
            "how long one poll waits for records").defaultValue(Duration.ofSeconds(1));
    public static final Option<Duration> SHUTDOWN_TIMEOUT = Option.duration("shutdown.timeout",
            "how long a graceful stop may take to flush and commit").defaultValue(Duration.ofSeconds(30));
    public static final Option<Duration> STARTUP_TIMEOUT = Option.duration("startup.timeout",
            "how long the start may take to reach the servers and get partitions before a check names what is wrong")
            .defaultValue(Duration.ofSeconds(30));
    public static final Option<Long> MEMORY_BUDGET = Option.size("memory.budget",
            "bytes held (records not yet durable, by weight, and the source's buffers) before partitions are "
                    + "paused and a flush starts").defaultValue(256L << 20);

    public static final Option<String> TOLERANCE = Option.choice("tolerance",
            "all: a bad record goes to the dead letters and the pipeline goes on; none: it stops the pipeline "
                    + "(default: all with a dead-letter destination, none without)", "all", "none");
    public static final Option<Duration> RETRY_TIMEOUT = Option.duration("retry.timeout",
            "how long a retriable target failure is retried before the pipeline stops").defaultValue(Duration.ofMinutes(5));
    public static final Option<Duration> RETRY_BACKOFF = Option.duration("retry.backoff",
            "first wait between retries; doubles with jitter up to 30s").defaultValue(Duration.ofMillis(500));

    /** Options of the {@code pipeline} section. */
    public static final List<Option<?>> PIPELINE_OPTIONS =
            List.of(MODE, FLUSH_RECORDS, FLUSH_BYTES, FLUSH_INTERVAL, POLL_TIMEOUT, SHUTDOWN_TIMEOUT, STARTUP_TIMEOUT,
                    MEMORY_BUDGET);
    /** Options of the {@code errors} section, besides {@code deadletter}. */
    public static final List<Option<?>> ERRORS_OPTIONS = List.of(TOLERANCE, RETRY_TIMEOUT, RETRY_BACKOFF);

    public PipelineSettings {
        if (flushRecords < 1) {
            throw new ConfigException("pipeline.flush.records: expected at least 1, found " + flushRecords);
        }
        if (flushBytes < 1) {
            throw new ConfigException("pipeline.flush.bytes: expected at least 1, found " + flushBytes);
        }
    }

    /** The defaults; a dead-letter destination turns the tolerance to {@code all}. */
    public static PipelineSettings defaults() {
        return new PipelineSettings(Mode.SYNC, FLUSH_RECORDS.defaultValue(), FLUSH_BYTES.defaultValue(),
                FLUSH_INTERVAL.defaultValue(), POLL_TIMEOUT.defaultValue(), SHUTDOWN_TIMEOUT.defaultValue(),
                STARTUP_TIMEOUT.defaultValue(), MEMORY_BUDGET.defaultValue(), Tolerance.NONE,
                RETRY_TIMEOUT.defaultValue(), RETRY_BACKOFF.defaultValue());
    }

    /**
     * Settings from validated {@code pipeline} and {@code errors} sections.
     *
     * @throws ConfigException when tolerance {@code all} is asked for without a dead-letter destination
     */
    public static PipelineSettings from(Options pipeline, Options errors, boolean hasDeadLetter) {
        String tolerance = errors.get(TOLERANCE);
        if (tolerance == null) {
            tolerance = hasDeadLetter ? "all" : "none";
        } else if (tolerance.equals("all") && !hasDeadLetter) {
            throw new ConfigException("errors.tolerance: 'all' needs errors.deadletter, or bad records would be "
                    + "lost; add a dead-letter destination or use 'none'");
        }
        return new PipelineSettings(Mode.valueOf(pipeline.require(MODE).toUpperCase(Locale.ROOT)),
                pipeline.require(FLUSH_RECORDS), pipeline.require(FLUSH_BYTES), pipeline.require(FLUSH_INTERVAL),
                pipeline.require(POLL_TIMEOUT), pipeline.require(SHUTDOWN_TIMEOUT), pipeline.require(STARTUP_TIMEOUT),
                pipeline.require(MEMORY_BUDGET), Tolerance.valueOf(tolerance.toUpperCase(Locale.ROOT)),
                errors.require(RETRY_TIMEOUT), errors.require(RETRY_BACKOFF));
    }

    /** A copy with this mode. */
    public PipelineSettings withMode(Mode value) {
        return new PipelineSettings(value, flushRecords, flushBytes, flushInterval, pollTimeout, shutdownTimeout,
                startupTimeout, memoryBudget, tolerance, retryTimeout, retryBackoff);
    }

    /** A copy with these flush thresholds. */
    public PipelineSettings withFlush(int records, long bytes, Duration interval) {
        return new PipelineSettings(mode, records, bytes, interval, pollTimeout, shutdownTimeout, startupTimeout,
                memoryBudget, tolerance, retryTimeout, retryBackoff);
    }

    /** A copy with this poll timeout. */
    public PipelineSettings withPollTimeout(Duration value) {
        return new PipelineSettings(mode, flushRecords, flushBytes, flushInterval, value, shutdownTimeout,
                startupTimeout, memoryBudget, tolerance, retryTimeout, retryBackoff);
    }

    /** A copy with this shutdown timeout. */
    public PipelineSettings withShutdownTimeout(Duration value) {
        return new PipelineSettings(mode, flushRecords, flushBytes, flushInterval, pollTimeout, value,
                startupTimeout, memoryBudget, tolerance, retryTimeout, retryBackoff);
    }

    /** A copy with this startup timeout. */
    public PipelineSettings withStartupTimeout(Duration value) {
        return new PipelineSettings(mode, flushRecords, flushBytes, flushInterval, pollTimeout, shutdownTimeout,
                value, memoryBudget, tolerance, retryTimeout, retryBackoff);
    }

    /** A copy with this memory budget, in bytes. */
    public PipelineSettings withMemoryBudget(long value) {
        return new PipelineSettings(mode, flushRecords, flushBytes, flushInterval, pollTimeout, shutdownTimeout,
                startupTimeout, value, tolerance, retryTimeout, retryBackoff);
    }

    /** A copy with this tolerance. */
    public PipelineSettings withTolerance(Tolerance value) {
        return new PipelineSettings(mode, flushRecords, flushBytes, flushInterval, pollTimeout, shutdownTimeout,
                startupTimeout, memoryBudget, value, retryTimeout, retryBackoff);
    }

    /** A copy with this retry bound and first backoff. */
    public PipelineSettings withRetry(Duration timeout, Duration backoff) {
        return new PipelineSettings(mode, flushRecords, flushBytes, flushInterval, pollTimeout, shutdownTimeout,
                startupTimeout, memoryBudget, tolerance, timeout, backoff);
    }
}
