package io.ksf.contract;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Something that runs until it is stopped (a pipeline), on a thread of its own, for tests: wait for a condition,
 * then stop it and get its result.
 *
 * @param <T> what the run returns
 */
public class RunningTask<T> implements AutoCloseable {
    private final String name;
    private final Runnable stop;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    protected RunningTask(String name, Callable<T> run, Runnable stop) {
        this.name = name;
        this.stop = stop;
        Thread thread = new Thread(() -> {
            try {
                result.complete(run.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Calls {@code run} on a thread named {@code name}; {@code stop}, from any thread, makes it return. */
    public static <T> RunningTask<T> start(String name, Callable<T> run, Runnable stop) {
        return new RunningTask<>(name, run, stop);
    }

    /** Waits until the condition holds, or fails the test after the timeout (or if the run ended). */
    public RunningTask<T> awaitUntil(BooleanSupplier condition, Duration timeout) {
        Wait.until(() -> {
            if (result.isDone() && !condition.getAsBoolean()) {
                throw new AssertionError(name + " ended before the condition held: " + outcome());
            }
            return condition.getAsBoolean();
        }, timeout, "the condition of " + name);
        return this;
    }

    /** Stops the run and returns its result; rethrows what made it fail. */
    public T stop() {
        stop.run();
        return result();
    }

    /** The result once the run ended by itself, within 30 s; rethrows what made it fail. */
    public T result() {
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the run did not end within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The failure that ended the run, waiting up to 30 s for it. */
    public Throwable failure() {
        try {
            result.get(30, TimeUnit.SECONDS);
            throw new AssertionError("the run ended without a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException | InterruptedException e) {
            throw new AssertionError("the run did not fail within 30 s");
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
        stop.run();
    }
}
