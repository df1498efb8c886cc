package io.ksf.pipeline;

import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.Target;
import io.ksf.support.Retry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Async mode: one worker thread owns the target and the dead letters, so targets stay single-threaded, while the
 * poll thread keeps polling. Work runs in the order it was handed over, so the durable positions of a partition
 * never skip a flush that has not completed. One flush at a time: the next starts only once the poll thread took
 * (and committed) the positions of the previous one, so a crash leaves at most one uncommitted generation of
 * objects per partition, as in sync mode. While a flush stores ({@link Target#startFlush()}), the worker goes on
 * writing the next records; any other step waits for the flush first. The worker's first failure is kept and
 * rethrown to the poll thread.
 */
final class AsyncSink implements Sink {
    /** The sync bookkeeping (dropped positions, what is unflushed), driven by the worker thread only. */
    private final DirectSink direct;
    private final BlockingQueue<Step> work = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Positions> durable = new ConcurrentLinkedQueue<>();
    private final AtomicLong inFlight = new AtomicLong();
    private final Thread worker;
    private volatile RuntimeException failure;
    /** A flush was started whose positions the poll thread has not taken yet; poll thread only. */
    private boolean flushStarted;
    /** The flush the target is storing; worker only. */
    private DirectSink.Started storing;
    private volatile boolean closed;

    /** Work for the worker; only writes may run while a flush stores. */
    private record Step(Runnable run, boolean overlapsFlush) {
    }

    AsyncSink(Target target, Target deadLetter, SourceNotices notices, Retry retry, LongConsumer onFlush) {
        this.direct = new DirectSink(target, deadLetter, notices, retry, onFlush);
        this.worker = new Thread(this::work, "ksf-flush");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    private void work() {
        while (!closed || !work.isEmpty()) {
            try {
                // while a flush stores, look at it every millisecond; after a failure only closing matters
                Step next = storing == null || failure != null ? work.take() : work.poll(1, TimeUnit.MILLISECONDS);
                if (failure != null) {
                    continue;
                }
                if (storing != null && (storing.target().isDone() || next != null && !next.overlapsFlush())) {
                    completeFlush();
                }
                if (next != null) {
                    next.run().run();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failure = e;
            }
        }
    }

    private void completeFlush() {
        DirectSink.Started flushed = storing;
        storing = null;
        direct.complete(flushed);
        durable.add(direct.takeDurable());
        inFlight.addAndGet(-flushed.bytes());
    }

    private void checkFailure() {
        if (closed) {
            throw new IllegalStateException("the flush worker is closed");
        }
        RuntimeException failed = failure;
        if (failed != null) {
            throw failed instanceof KsfException ? failed : new KsfException(failed.getMessage(), failed);
        }
    }

    @Override
    public void write(List<KsfRecord> out, List<KsfRecord> bad, Map<SourcePartition, Long> droppedNext, long bytes) {
        checkFailure();
        inFlight.addAndGet(bytes);
        work.add(new Step(() -> direct.write(out, bad, droppedNext, bytes), true));
    }

    @Override
    public boolean flush() {
        checkFailure();
        if (flushStarted) {
            return false;
        }
        flushStarted = true;
        work.add(new Step(this::startFlushOnWorker, false));
        return true;
    }

    /** Starts a flush that completes while the next records are written. */
    private void startFlushOnWorker() {
        storing = direct.start();
    }

    private void flushOnWorker() {
        storing = direct.start();
        completeFlush();
    }

    @Override
    public void awaitFlush() {
        if (flushStarted) {
            onWorker(() -> { });
        }
    }

    @Override
    public void drain() {
        onWorker(this::flushOnWorker);
    }

    @Override
    public Positions takeDurable() {
        checkFailure();
        Positions merged = Positions.empty();
        for (Positions next = durable.poll(); next != null; next = durable.poll()) {
            merged = merged.merge(next);
            flushStarted = false; // every flush adds its positions, empty or not, and only one is started at a time
        }
        return merged;
    }

    @Override
    public long inFlightBytes() {
        return inFlight.get() + direct.heldBytes();
    }

    @Override
    public void recover(Positions resumeAt) {
        onWorker(() -> direct.recover(resumeAt));
    }

    @Override
    public void discard(Collection<SourcePartition> partitions) {
        List<SourcePartition> lost = List.copyOf(partitions);
        onWorker(() -> direct.discard(lost));
    }

    /** Runs a step on the worker, after everything handed over before it, and waits for it. */
    private void onWorker(Runnable step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        checkFailure();
        work.add(new Step(() -> {
            try {
                step.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                throw e;
            }
        }, false));
        await(done);
    }

    private void await(CompletableFuture<Void> done) {
        while (true) {
            try {
                done.get(100, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                checkFailure(); // the worker failed before reaching this step
            } catch (ExecutionException e) {
                checkFailure();
                throw new KsfException(e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KsfException("interrupted while waiting for the flush worker", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        work.add(new Step(() -> { }, false));
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.interrupt();
    }
}
