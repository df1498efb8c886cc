package io.ksf.pipeline;

import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.PendingFlush;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsHeldMemory;
import io.ksf.spi.SupportsRecovery;
import io.ksf.spi.Target;
import io.ksf.spi.TargetContext;
import io.ksf.support.DeadLetters;
import io.ksf.support.Retry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Writes to the target and flushes it on the calling thread: the poll thread in sync mode, the flush worker of
 * {@link AsyncSink} in async mode.
 */
final class DirectSink implements Sink {
    private final Target target;
    private final Target deadLetter;
    /** Told of each dead letter and stored position before its position can commit. */
    private final SourceNotices notices;
    private final Retry retry;
    private final LongConsumer onFlush;
    /** What the target refused since the last flush started (its context's reports). */
    private final List<Rejected> rejected = Collections.synchronizedList(new ArrayList<>());
    /** What the dead-letter destination refused: nothing may be committed then. */
    private final List<Rejected> deadLettersRefused = Collections.synchronizedList(new ArrayList<>());
    private Map<SourcePartition, Long> dropped = new HashMap<>();
    private Positions durable = Positions.empty();
    private long inFlight;
    private boolean dirty;

    DirectSink(Target target, Target deadLetter, SourceNotices notices, Retry retry, LongConsumer onFlush) {
        this.target = target;
        this.deadLetter = deadLetter;
        this.notices = notices;
        this.retry = retry;
        this.onFlush = onFlush;
        target.open(new TargetContext() {
            @Override
            public void reject(KsfRecord record, InvalidRecordException reason) {
                rejected.add(new Rejected(record, reason));
            }

            @Override
            public void stored(KsfRecord record, String topic, int partition, long offset) {
                notices.stored().stored(record, topic, partition, offset);
            }
        });
        if (deadLetter != null) {
            deadLetter.open((record, reason) -> deadLettersRefused.add(new Rejected(record, reason)));
        }
    }

    /** A record a target refused to store, with the reason. */
    private record Rejected(KsfRecord record, InvalidRecordException reason) {
        String describe() {
            return record.origin() + ": " + reason.getMessage();
        }
    }

    @Override
    public void write(List<KsfRecord> out, List<KsfRecord> bad, Map<SourcePartition, Long> droppedNext, long bytes) {
        if (!out.isEmpty()) {
            target.write(out);
        }
        if (!bad.isEmpty()) {
            deadLetter.write(bad);
            bad.forEach(notices::deadLettered);
        }
        droppedNext.forEach((tp, next) -> dropped.merge(tp, next, Math::max));
        inFlight += bytes;
        dirty = true;
    }

    @Override
    public boolean flush() {
        if (dirty) {
            complete(start());
        }
        return true;
    }

    /**
     * A flush the target is storing, with the positions already settled when it started: the dead letters of the
     * same records (flushed at the start, so they cover no later record) and the records dropped on purpose.
     */
    record Started(PendingFlush target, Positions settled, long bytes, long startNanos) {
    }

    /** Whether anything was written since the last flush started. */
    boolean unflushed() {
        return dirty;
    }

    /** Starts a flush of everything written so far; the next writes belong to the next flush. */
    Started start() {
        dirty = false;
        long startNanos = System.nanoTime();
        PollLoop.PHASES.debug("flush started");
        PendingFlush pending = retry.call("target flush", target::startFlush);
        Positions settled = deadLettersOfFlush().merge(Positions.of(dropped));
        dropped = new HashMap<>();
        long bytes = inFlight;
        inFlight = 0;
        return new Started(pending, settled, bytes, startNanos);
    }

    /** Waits for a started flush, retrying what failed; its positions become durable. */
    void complete(Started started) {
        durable = durable.merge(retry.call("target flush", started.target()::await)).merge(started.settled());
        PollLoop.PHASES.debug("flush durable");
        onFlush.accept(System.nanoTime() - started.startNanos());
    }

    /**
     * Sends what the target rejected to the dead letters and flushes those (with retries); their positions. Without
     * a dead-letter destination a rejection stops the pipeline.
     */
    private Positions deadLettersOfFlush() {
        List<Rejected> refused = take(rejected);
        if (!refused.isEmpty()) {
            if (deadLetter == null) {
                throw new KsfException("the target rejected " + refused.size() + " records, first "
                        + refused.get(0).describe() + "; without errors.deadletter nothing is committed");
            }
            List<KsfRecord> letters = refused.stream().map(r -> DeadLetters.of(r.record(), r.reason())).toList();
            deadLetter.write(letters);
            letters.forEach(notices::deadLettered);
        }
        if (deadLetter == null) {
            return Positions.empty();
        }
        Positions positions = retry.call("dead-letter flush", deadLetter::flush);
        List<Rejected> lost = take(deadLettersRefused);
        if (!lost.isEmpty()) {
            throw new KsfException("the dead-letter destination refused " + lost.size() + " records, first "
                    + lost.get(0).describe() + "; nothing is committed");
        }
        return positions;
    }

    private static List<Rejected> take(List<Rejected> reported) {
        synchronized (reported) {
            List<Rejected> taken = List.copyOf(reported);
            reported.clear();
            return taken;
        }
    }

    @Override
    public void awaitFlush() {
    }

    @Override
    public void drain() {
        flush();
    }

    @Override
    public Positions takeDurable() {
        Positions taken = durable;
        durable = Positions.empty();
        return taken;
    }

    @Override
    public long inFlightBytes() {
        return inFlight + heldBytes();
    }

    /** What the target's open objects hold beyond the records' weight, read on any thread. */
    long heldBytes() {
        return target instanceof SupportsHeldMemory holding ? holding.heldBytes() : 0;
    }

    @Override
    public void recover(Positions resumeAt) {
        retry.call("recovery of " + resumeAt, () -> {
            if (target instanceof SupportsRecovery recovering) {
                recovering.recover(resumeAt);
            }
            if (deadLetter instanceof SupportsRecovery recovering) {
                recovering.recover(resumeAt);
            }
            return null;
        });
    }

    @Override
    public void discard(Collection<SourcePartition> partitions) {
        target.discard(partitions);
        if (deadLetter != null) {
            deadLetter.discard(partitions);
        }
        dropped.keySet().removeAll(partitions);
    }

    @Override
    public void close() {
    }
}
