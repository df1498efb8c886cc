package io.ksf.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop instead of the JVM's default exit (status 143 / 130), so that
 * {@code ksf run} flushes, commits and exits 0 when ECS stops the task. A second signal halts at once with status
 * 130: nothing more is committed, and only durable data ever was.
 */
final class StopSignals {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    static void install(Runnable stop) {
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (received.incrementAndGet() == 1) {
                        stop.run();
                    } else {
                        LOG.error("second stop signal: exiting now, without flushing or committing");
                        Runtime.getRuntime().halt(130);
                    }
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("cannot handle SIG{} here; the shutdown hook stops the pipeline instead", name);
            }
        }
    }
}
