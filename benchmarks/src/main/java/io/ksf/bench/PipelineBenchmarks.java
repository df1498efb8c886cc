package io.ksf.bench;

import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.processor.ValidateProcessor;
import io.ksf.spi.Format;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.RecordWriter;
import io.ksf.spi.Source;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.Target;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole pipeline loop on one thread, without I/O: an in-memory source of {@value #RECORDS} records and a
 * target that encodes into a discarding stream. One operation is one record.
 */
@State(Scope.Benchmark)
public class PipelineBenchmarks {
    static final int RECORDS = 100_000;

    @Param({"200", "2048"})
    public int size;

    private List<List<KsfRecord>> batches;

    @Setup
    public void setUp() {
        batches = new ArrayList<>();
        List<KsfRecord> batch = new ArrayList<>();
        for (int n = 0; n < RECORDS; n++) {
            batch.add(KsfRecord.of("pins", n % 6, n / 6, 0, null, Samples.postBytes(n, size), List.of()));
            if (batch.size() == 500) {
                batches.add(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long passThrough() {
        return run(List.of());
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long decodeValidateEncode() {
        return run(List.of(new ValidateProcessor(List.of("index", "unique_id"), Map.of("index", "integer"), null)));
    }

    private long run(List<ValidateProcessor> processors) {
        DiscardingTarget target = new DiscardingTarget(new JsonFormat());
        Pipeline[] pipeline = new Pipeline[1];
        pipeline[0] = Pipeline.builder().source(new BatchSource(batches, () -> pipeline[0]), new JsonFormat())
                .processors(processors).target(target).flushEvery(10_000, 64L << 20, Duration.ofMinutes(1))
                .pollTimeout(Duration.ZERO).build();
        pipeline[0].run();
        return target.discard.bytes;
    }

    /** Hands out prepared batches, then asks the pipeline to stop from another thread. */
    static final class BatchSource implements Source {
        private final List<List<KsfRecord>> batches;
        private final java.util.function.Supplier<Pipeline> pipeline;
        private int next;

        BatchSource(List<List<KsfRecord>> batches, java.util.function.Supplier<Pipeline> pipeline) {
            this.batches = batches;
            this.pipeline = pipeline;
        }

        @Override
        public void open(SourceContext context) {
        }

        @Override
        public void pause(Collection<SourcePartition> partitions) {
        }

        @Override
        public void resume(Collection<SourcePartition> partitions) {
        }

        @Override
        public void wakeup() {
        }

        @Override
        public List<KsfRecord> poll(Duration timeout) {
            if (next < batches.size()) {
                return batches.get(next++);
            }
            if (next++ == batches.size()) {
                new Thread(pipeline.get()::close).start();
            }
            Thread.onSpinWait();
            return List.of();
        }

        @Override
        public void commit(Positions positions) {
        }

        @Override
        public void close() {
        }
    }

    /** Encodes everything written into a discarding stream, as an object store target would into its buffer. */
    static final class DiscardingTarget implements Target {
        final CodecBenchmarks.Discard discard = new CodecBenchmarks.Discard();
        private final Format format;
        private RecordWriter writer;
        private final Map<SourcePartition, Long> positions = new HashMap<>();

        DiscardingTarget(Format format) {
            this.format = format;
            this.writer = format.writer(discard);
        }

        @Override
        public void write(List<KsfRecord> records) {
            try {
                for (KsfRecord record : records) {
                    writer.write(record);
                    positions.merge(record.topicPartition(), record.offset() + 1, Math::max);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Positions flush() {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            writer = format.writer(discard);
            Positions durable = Positions.of(positions);
            positions.clear();
            return durable;
        }

        @Override
        public boolean takesUndecoded(Format sourceFormat) {
            return sourceFormat.name().equals(format.name());
        }

        @Override
        public void discard(Collection<SourcePartition> partitions) {
        }

        @Override
        public void close() {
        }
    }
}
