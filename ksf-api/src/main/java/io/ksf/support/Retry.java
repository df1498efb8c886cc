package io.ksf.support;

import io.ksf.spi.KsfException;
import io.ksf.spi.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Runs an action again while it throws {@link RetriableException}, waiting with exponential backoff and full
 * jitter between tries, until it succeeds or the total time is spent. Other exceptions end it at once.
 *
 * @param timeout    total time after which the last retriable failure is thrown
 * @param firstDelay the first wait; each next wait doubles, up to {@code maxDelay}
 * @param maxDelay   the longest single wait
 * @param onRetry    called before each retry (metrics)
 */
public record Retry(Duration timeout, Duration firstDelay, Duration maxDelay, Runnable onRetry) {
    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    /**
     * @param timeout    how long one call is retried in all
     * @param firstDelay the first wait; each next one doubles, with jitter
     * @param maxDelay   the longest wait
     */
    public Retry(Duration timeout, Duration firstDelay, Duration maxDelay) {
        this(timeout, firstDelay, maxDelay, () -> { });
    }

    /** As {@link #Retry(Duration, Duration, Duration)}, with waits up to 30 s. */
    public Retry(Duration timeout, Duration firstDelay) {
        this(timeout, firstDelay, Duration.ofSeconds(30));
    }

    /**
     * Calls the action, again after each {@link io.ksf.spi.RetriableException} until the timeout.
     * @param what named in the log and in the error when the time is up
     * @throws io.ksf.spi.KsfException when it still fails at the timeout, or fails for good
     */
    public <T> T call(String what, Supplier<T> action) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long delay = Math.max(1, firstDelay.toMillis());
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (RetriableException e) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new KsfException(what + " failed after " + attempt + " attempts in " + timeout.toMillis()
                            + " ms: " + e.getMessage(), e);
                }
                long wait = Math.min(left, ThreadLocalRandom.current().nextLong(delay / 2, delay + 1));
                LOG.warn("{} failed (attempt {}), retrying in {} ms: {}", what, attempt, wait, e.getMessage());
                onRetry.run();
                sleep(wait, what);
                delay = Math.min(delay * 2, maxDelay.toMillis());
            }
        }
    }

    private static void sleep(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KsfException(what + " was interrupted while waiting to retry", e);
        }
    }
}
