package io.ksf.streams;

import io.ksf.spi.ConfigException;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import org.apache.kafka.streams.kstream.TimeWindows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The time window of a count or an aggregate, by the records' timestamps: tumbling when {@code advance} equals
 * {@code size}, hopping (overlapping) when it is smaller.
 *
 * @param size        how long a window is
 * @param advance     how far each window starts after the one before
 * @param grace       how long after a window's end a late record still counts; later ones are dropped
 * @param emitOnClose whether a window's value is written once, when the window closes (end + grace), instead of on
 *                    every update
 */
public record Window(Duration size, Duration advance, Duration grace, boolean emitOnClose) {
    /** The window's length; without it the count or aggregate is not windowed. */
    public static final Option<Duration> SIZE = Option.duration("window.size",
            "count or aggregate in time windows of this length, by the records' timestamps (default: no window)");
    /** The window's advance. */
    public static final Option<Duration> ADVANCE = Option.duration("window.advance",
            "how far each window starts after the one before: window.size (default) for tumbling windows, less "
                    + "for hopping ones");
    /** The window's grace period. */
    public static final Option<Duration> GRACE = Option.duration("window.grace",
            "how long after a window's end a late record still counts; later records are dropped")
            .defaultValue(Duration.ofSeconds(30));
    /** When a window's value is written. */
    public static final Option<String> EMIT = Option.choice("window.emit",
            "update: a new value on each update (as the cache allows); close: one final value per window, once "
                    + "its end plus the grace has passed", "update", "close").defaultValue("update");
    /** The window options, shared by count and aggregate. */
    public static final List<Option<?>> OPTIONS = List.of(SIZE, ADVANCE, GRACE, EMIT);

    /** Checks the window's durations. */
    public Window {
        List<String> problems = new ArrayList<>();
        if (size.isZero() || size.isNegative()) {
            problems.add("window.size: expected a positive duration, found " + size);
        } else if (advance.isZero() || advance.isNegative() || advance.compareTo(size) > 0) {
            problems.add("window.advance: expected a positive duration no longer than window.size (" + size
                    + "), found " + advance);
        }
        if (grace.isNegative()) {
            problems.add("window.grace: expected a duration of 0 or more, found " + grace);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /** The window the options describe, or null when they set no {@code window.size}. */
    static Window of(Options options) {
        Duration size = options.get(SIZE);
        if (size == null) {
            if (options.has(ADVANCE)) {
                throw new ConfigException(options.path() + ".window.advance: set window.size too; found "
                        + "window.advance alone");
            }
            return null;
        }
        Duration advance = options.has(ADVANCE) ? options.get(ADVANCE) : size;
        try {
            return new Window(size, advance, options.require(GRACE), options.require(EMIT).equals("close"));
        } catch (ConfigException e) {
            throw new ConfigException(e.problems().stream().map(p -> options.path() + "." + p).toList());
        }
    }

    /** Kafka Streams' windows of this size, advance and grace. */
    TimeWindows timeWindows() {
        return TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance);
    }

    /** How long a window's values are kept: just long enough for late records within the grace. */
    Duration retention() {
        return size.plus(grace);
    }
}
