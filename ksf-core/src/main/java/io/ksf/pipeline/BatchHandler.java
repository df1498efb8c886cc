package io.ksf.pipeline;

import io.ksf.pipeline.PipelineSettings.Tolerance;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsUndecoded;
import io.ksf.support.DeadLetters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one polled batch into what the sink gets: each value decoded when needed, run through the processors
 * (0..n records out of each), bad records made dead letters (or, with tolerance {@code none}, the error that stops
 * the pipeline), and the positions of records dropped on purpose.
 */
final class BatchHandler {
    // the pipeline's lines all come from one logger, whichever class writes them
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final Format sourceFormat;
    private final List<Processor> processors;
    /**
     * Whether every value is decoded, or only those the target cannot write as read (then every processor takes
     * undecoded records: {@link SupportsUndecoded}).
     */
    private final boolean decodeAll;
    private final Tolerance tolerance;
    private final PipelineCounters counters;
    private final Sink sink;

    /** What a batch was: its records and bytes, and the error that stops the pipeline, or null. */
    record Handled(int records, long bytes, KsfException stop) {
    }

    BatchHandler(Format sourceFormat, List<Processor> processors, boolean decodeAll, Tolerance tolerance,
                 PipelineCounters counters, Sink sink) {
        this.sourceFormat = sourceFormat;
        this.processors = processors;
        this.decodeAll = decodeAll;
        this.tolerance = tolerance;
        this.counters = counters;
        this.sink = sink;
    }

    /** Handles a batch and writes it to the sink; a stop comes after the records before it were written. */
    Handled handle(List<KsfRecord> batch) {
        KsfException stop = null;
        int handled = 0;
        List<KsfRecord> out = new ArrayList<>(batch.size());
        List<KsfRecord> bad = new ArrayList<>();
        Map<SourcePartition, Long> droppedNext = new HashMap<>();
        long inBytes = 0;
        try {
            for (KsfRecord record : batch) {
                handled++;
                inBytes += record.sizeInBytes();
                int before = out.size();
                try {
                    process(record, out);
                } catch (RuntimeException e) {
                    if (tolerance == Tolerance.NONE) {
                        stop = new KsfException("record " + record.origin() + " failed: " + e.getMessage()
                                + "; errors.tolerance is none, so the pipeline stops before it", e);
                        break;
                    }
                    LOG.debug("record {} goes to the dead letters: {}", record.origin(), e.toString());
                    bad.add(DeadLetters.of(record, e));
                    continue;
                }
                if (out.size() == before) {
                    counters.filtered();
                    droppedNext.merge(record.topicPartition(), record.offset() + 1, Math::max);
                }
            }
        } finally {
            // records handled before a failure still reach the target, so a stop can flush and commit them
            counters.handled(handled, inBytes, out.size(), bad.size());
            sink.write(out, bad, droppedNext, RecordWeight.of(out) + RecordWeight.of(bad));
        }
        return new Handled(handled, inBytes, stop);
    }

    private void process(KsfRecord record, List<KsfRecord> out) {
        if (record.refusal() != null) {
            throw new InvalidRecordException(record.refusal());
        }
        KsfRecord current = record;
        if (record.value() != null && (decodeAll || !sourceFormat.copiesAsIs(record.value()))) {
            current = record.withData(sourceFormat.decode(record));
        }
        if (processors.isEmpty()) {
            out.add(current);
            return;
        }
        List<KsfRecord> stage = List.of(current);
        for (Processor processor : processors) {
            List<KsfRecord> next = new ArrayList<>(stage.size());
            for (KsfRecord r : stage) {
                List<KsfRecord> produced = r.decoded() ? processor.process(r)
                        : ((SupportsUndecoded) processor).processUndecoded(r, sourceFormat);
                if (produced == null) {
                    throw new InvalidRecordException("processor " + processor.getClass().getName()
                            + " returned null instead of a list of records (List.of() drops a record)");
                }
                next.addAll(produced);
            }
            stage = next;
        }
        out.addAll(stage);
    }
}
