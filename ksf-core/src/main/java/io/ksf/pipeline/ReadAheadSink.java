package io.ksf.pipeline;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sync mode: one thread polls, writes, flushes and commits, but while the target stores a flush (the S3 target
 * uploads on its own threads) it goes on polling and running the processors, and holds those records back from the
 * target until that flush is durable and its positions taken (and so committed): the target never holds two
 * uncommitted generations, as before, and polling overlaps the upload. The records held count against the memory
 * budget, which pauses the source when they fill it.
 */
final class ReadAheadSink implements Sink {
    private final DirectSink direct;
    /** The flush the target is storing, or null. */
    private DirectSink.Started storing;
    /** A flush completed (while waiting for it, on a rebalance) whose positions were not taken yet. */
    private boolean completedUntaken;
    /** Writes handed over while a flush stores, in order: they reach the target once its positions are taken. */
    private final List<Held> held = new ArrayList<>();
    private long heldBytes;

    private record Held(List<KsfRecord> out, List<KsfRecord> bad, Map<SourcePartition, Long> dropped, long bytes) {
    }

    ReadAheadSink(DirectSink direct) {
        this.direct = direct;
    }

    @Override
    public void write(List<KsfRecord> out, List<KsfRecord> bad, Map<SourcePartition, Long> dropped, long bytes) {
        releaseHeld();
        if (flushOutstanding()) {
            held.add(new Held(out, bad, dropped, bytes));
            heldBytes += bytes;
        } else {
            direct.write(out, bad, dropped, bytes);
        }
    }

    /** Starts a flush unless one stores; it completes while the poll thread polls on. */
    @Override
    public boolean flush() {
        releaseHeld();
        if (flushOutstanding()) {
            return false;
        }
        if (direct.unflushed()) {
            storing = direct.start();
        }
        return true;
    }

    @Override
    public void awaitFlush() {
        if (storing != null) {
            complete();
        }
    }

    @Override
    public void drain() {
        awaitFlush();
        completedUntaken = false; // drain follows the commit of what awaitFlush made durable
        releaseHeld();
        direct.flush();
    }

    /** The positions of the flush that stored, once it is durable; the held writes may follow after their commit. */
    @Override
    public Positions takeDurable() {
        if (storing != null && storing.target().isDone()) {
            complete();
        }
        Positions durable = direct.takeDurable();
        if (storing == null) {
            completedUntaken = false; // the caller commits these positions before it hands over anything else
        }
        return durable;
    }

    private void complete() {
        direct.complete(storing);
        storing = null;
        completedUntaken = true;
    }

    /** A flush stores, or its positions wait to be taken: the target takes no record until then. */
    private boolean flushOutstanding() {
        return storing != null || completedUntaken;
    }

    /** Hands the held writes to the target, once the flush they waited for is committed. */
    private void releaseHeld() {
        if (flushOutstanding() || held.isEmpty()) {
            return;
        }
        for (Held write : held) {
            direct.write(write.out(), write.bad(), write.dropped(), write.bytes());
        }
        held.clear();
        heldBytes = 0;
    }

    /** What the target holds, the flush it stores and the records held back. */
    @Override
    public long inFlightBytes() {
        return direct.inFlightBytes() + (storing == null ? 0 : storing.bytes()) + heldBytes;
    }

    @Override
    public void recover(Positions resumeAt) {
        awaitFlush(); // its positions are taken on the next loop; the target is left as it is meanwhile
        direct.recover(resumeAt);
    }

    /** Waits for the flush under way, drops the held records of lost partitions, and the target's. */
    @Override
    public void discard(Collection<SourcePartition> partitions) {
        awaitFlush();
        Set<SourcePartition> lost = Set.copyOf(partitions);
        List<Held> kept = new ArrayList<>();
        heldBytes = 0;
        for (Held write : held) {
            List<KsfRecord> out = write.out().stream().filter(r -> !lost.contains(r.topicPartition())).toList();
            List<KsfRecord> bad = write.bad().stream().filter(r -> !lost.contains(r.topicPartition())).toList();
            Map<SourcePartition, Long> dropped = new HashMap<>(write.dropped());
            dropped.keySet().removeAll(lost);
            if (!out.isEmpty() || !bad.isEmpty() || !dropped.isEmpty()) {
                kept.add(new Held(out, bad, dropped, write.bytes()));
                heldBytes += write.bytes();
            }
        }
        held.clear();
        held.addAll(kept);
        direct.discard(partitions);
    }

    @Override
    public void close() {
        direct.close();
    }
}
