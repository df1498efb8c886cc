package io.ksf.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops a pipeline gracefully on SIGTERM (what ECS and Kubernetes send) and SIGINT (Ctrl-C), instead of the JVM's
 * default exit with status 143 or 130: {@link Pipeline#run()} returns after its final flush and commit, and the
 * process exits 0 when {@code main} returns.
 *
 * <pre>{@code
 * try (Pipeline pipeline = builder.build(); StopSignals signals = StopSignals.install(pipeline)) {
 *     pipeline.run();
 * }
 * }</pre>
 *
 * A second signal, or a stop that takes longer than the pipeline's shutdown timeout, halts the JVM at once with
 * status 130 or 1: nothing more is committed, and only what was durable ever was. A shutdown hook also closes the
 * pipeline when the JVM exits another way ({@code System.exit}, or where signals cannot be handled). {@link #close()}
 * puts the previous handlers back.
 */
public final class StopSignals implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
    private static final String[] NAMES = {"TERM", "INT"};

    private final Runnable stop;
    private final Awaiting stopped;
    private final Duration timeout;
    private final Thread hook;
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final AtomicInteger received = new AtomicInteger();

    /** Waits up to a timeout for the stop to end; true when it did. */
    private interface Awaiting {
        boolean await(Duration timeout) throws InterruptedException;
    }

    private StopSignals(Runnable stop, Awaiting stopped, Duration timeout) {
        this.stop = stop;
        this.stopped = stopped;
        this.timeout = timeout;
        this.hook = new Thread(stop, "ksf-shutdown");
    }

    /** Handles SIGTERM and SIGINT for this pipeline until {@link #close()}. */
    public static StopSignals install(Pipeline pipeline) {
        return install(new StopSignals(pipeline::close, pipeline::awaitStopped, pipeline.settings().shutdownTimeout()));
    }

    /**
     * Handles SIGTERM and SIGINT for something else that runs until closed (a stateful pipeline on Kafka Streams):
     * the signal closes it, and a stop longer than {@code timeout} halts the JVM.
     */
    public static StopSignals install(AutoCloseable running, Duration timeout) {
        CountDownLatch closed = new CountDownLatch(1);
        Runnable stop = () -> {
            try {
                running.close();
            } catch (Exception e) {
                LOG.warn("stopping failed: {}", e.toString());
            } finally {
                closed.countDown();
            }
        };
        return install(new StopSignals(stop, wait -> closed.await(wait.toMillis(), TimeUnit.MILLISECONDS), timeout));
    }

    private static StopSignals install(StopSignals signals) {
        Runtime.getRuntime().addShutdownHook(signals.hook);
        for (String name : NAMES) {
            try {
                Signal signal = new Signal(name);
                signals.previous.put(signal, Signal.handle(signal, signals::received));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("cannot handle SIG{} here; the shutdown hook stops the pipeline instead", name);
            }
        }
        return signals;
    }

    private void received(Signal signal) {
        if (received.incrementAndGet() > 1) {
            LOG.error("second stop signal: exiting now, without flushing or committing");
            Runtime.getRuntime().halt(130);
        }
        LOG.info("SIG{} received: flushing and committing (at most {})", signal.getName(), timeout);
        new Thread(stop, "ksf-stop").start();
        Thread watchdog = new Thread(() -> {
            try {
                if (!stopped.await(timeout)) {
                    LOG.error("the pipeline did not stop within pipeline.shutdown.timeout ({}); exiting without "
                            + "committing what is not durable", timeout);
                    Runtime.getRuntime().halt(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ksf-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Puts the previous signal handlers back and removes the shutdown hook (unless the JVM is already exiting). */
    @Override
    public void close() {
        previous.forEach(Signal::handle);
        previous.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the hook is running or about to: it is what stopped the pipeline
        }
    }
}
