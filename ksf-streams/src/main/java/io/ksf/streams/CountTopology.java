package io.ksf.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.Format;
import io.ksf.spi.Header;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import io.ksf.support.DeadLetters;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Kafka Streams topology of a stateful pipeline: records of the source topics are decoded with the source
 * format and run through KSF's stateless processors (one node), then counted or aggregated (sum, min, max) by key
 * in an in-memory table whose changelog is {@code <application.id>-<table>-changelog} (numbers as decimal text, as
 * Faust writes its counts), and every new value goes to the output topic as {@code {"key": ..., "count": ...}} (or
 * {@code "sum"}, {@code "min"}, {@code "max"}). A record that fails goes to the
 * dead-letter topic with its origin and error, or, without one, stops the topology.
 */
public final class CountTopology {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param topics          the source topics
     * @param format          how their values are decoded
     * @param processors      KSF's stateless processors, run before the count
     * @param step            what is counted or aggregated, and the table
     * @param outputTopic     where new counts go
     * @param deadLetterTopic where bad records go, or null to stop on one
     */
    public record Settings(List<String> topics, Format format, List<Processor> processors, StatefulStep step,
                           String outputTopic, String deadLetterTopic) {
    }

    /**
     * What the topology's KSF node did, over all its tasks in this instance.
     *
     * @param recordsIn      records read from the source topics
     * @param bytesIn        their key and value bytes
     * @param recordsGrouped records (after the processors) counted or aggregated
     * @param deadLettered   records sent to the dead-letter topic
     */
    public record Counts(LongAdder recordsIn, LongAdder bytesIn, LongAdder recordsGrouped, LongAdder deadLettered) {
        /** All zero. */
        public Counts() {
            this(new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder());
        }
    }

    private CountTopology() {
    }

    /** The topology for these settings. */
    public static Topology build(Settings settings) {
        return build(settings, new Counts());
    }

    /** The topology for these settings, counting what its KSF node does into {@code counts}. */
    public static Topology build(Settings settings, Counts counts) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<byte[], Outcome> outcomes = builder.stream(settings.topics(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .processValues(() -> new KsfProcessors(settings, counts), Named.as("ksf-processors"));
        if (settings.deadLetterTopic() != null) {
            outcomes.filter((key, outcome) -> outcome.deadLetter() != null, Named.as("ksf-dead-letters"))
                    .mapValues(Outcome::deadLetter)
                    .to(settings.deadLetterTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        }
        StatefulStep step = settings.step();
        KGroupedStream<String, String> groups = outcomes
                .filter((key, outcome) -> outcome.key() != null, Named.as("ksf-grouped"))
                .map((key, outcome) -> KeyValue.pair(outcome.key(), outcome.number()), Named.as("ksf-group-key"))
                .groupByKey(Grouped.with(step.table(), Serdes.String(), Serdes.String()));
        KStream<String, String> output = step.window() == null ? tableUpdates(groups, step)
                : windowUpdates(groups, step, step.window());
        output.to(settings.outputTopic(), Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    /** A table of all time: each new value of a key, keyed by it. */
    private static KStream<String, String> tableUpdates(KGroupedStream<String, String> groups, StatefulStep step) {
        Materialized<String, String, KeyValueStore<Bytes, byte[]>> table = Materialized
                .<String, String>as(Stores.inMemoryKeyValueStore(step.table()))
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.String());
        return groups.aggregate(() -> "", (key, number, sofar) -> step.add(sofar, number),
                        Named.as(step.table() + "-" + step.result()),
                        step.cache() ? table : table.withCachingDisabled())
                .toStream(Named.as(step.table() + "-updates"))
                .mapValues((key, value) -> json(key, null, null, step.result(), value));
    }

    /** A table per time window: each new value of a key in a window (or its final one), keyed by key@start. */
    private static KStream<String, String> windowUpdates(KGroupedStream<String, String> groups, StatefulStep step,
                                                         Window window) {
        Materialized<String, String, WindowStore<Bytes, byte[]>> table = Materialized
                .<String, String>as(Stores.inMemoryWindowStore(step.table(), window.retention(), window.size(),
                        false))
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.String());
        KTable<Windowed<String>, String> windows = groups.windowedBy(window.timeWindows())
                .aggregate(() -> "", (key, number, sofar) -> step.add(sofar, number),
                        Named.as(step.table() + "-" + step.result()),
                        step.cache() ? table : table.withCachingDisabled());
        if (window.emitOnClose()) {
            windows = windows.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
                    .withName(step.table() + "-final"));
        }
        return windows.toStream(Named.as(step.table() + "-updates"))
                .map((key, value) -> KeyValue.pair(key.key() + "@" + key.window().startTime(), json(key.key(),
                        key.window().startTime(), key.window().endTime(), step.result(), value)),
                        Named.as(step.table() + "-keys"));
    }

    /** The output record: the key, the window's start and end when windowed, and the value as a number. */
    private static String json(String key, Instant start, Instant end, String name, String value) {
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("key", key);
        if (start != null) {
            update.put("window_start", start.toString());
            update.put("window_end", end.toString());
        }
        update.put(name, new BigDecimal(value));
        try {
            return JSON.writeValueAsString(update);
        } catch (JsonProcessingException e) {
            throw new KsfException("cannot encode the count of " + key, e);
        }
    }

    /** What one record became: a key and its number (empty for a count), or a dead letter (its JSON envelope). */
    record Outcome(String key, String number, byte[] deadLetter) {
    }

    /** Decode, KSF's processors and the count key, with the record's origin from Kafka Streams' metadata. */
    private static final class KsfProcessors implements FixedKeyProcessor<byte[], byte[], Outcome> {
        private final Settings settings;
        private final Counts counts;
        private FixedKeyProcessorContext<byte[], Outcome> context;

        KsfProcessors(Settings settings, Counts counts) {
            this.settings = settings;
            this.counts = counts;
        }

        @Override
        public void init(FixedKeyProcessorContext<byte[], Outcome> processorContext) {
            this.context = processorContext;
        }

        @Override
        public void process(FixedKeyRecord<byte[], byte[]> in) {
            RecordMetadata origin = context.recordMetadata().orElseThrow();
            counts.recordsIn().increment();
            counts.bytesIn().add((in.key() == null ? 0 : in.key().length)
                    + (in.value() == null ? 0 : in.value().length));
            List<Header> headers = new ArrayList<>();
            in.headers().forEach(h -> headers.add(new Header(h.key(), h.value())));
            KsfRecord record = KsfRecord.of(origin.topic(), origin.partition(), origin.offset(), in.timestamp(),
                    in.key(), in.value(), headers);
            List<Outcome> grouped = new ArrayList<>();
            try {
                List<KsfRecord> stage = List.of(record.value() == null ? record
                        : record.withData(settings.format().decode(record)));
                for (Processor processor : settings.processors()) {
                    List<KsfRecord> next = new ArrayList<>();
                    for (KsfRecord r : stage) {
                        next.addAll(processor.process(r));
                    }
                    stage = next;
                }
                StatefulStep step = settings.step();
                for (KsfRecord r : stage) {
                    grouped.add(new Outcome(step.keyOf(r), step.numberOf(r), null));
                }
            } catch (RuntimeException e) {
                if (settings.deadLetterTopic() == null) {
                    throw new KsfException("record " + record.origin() + " failed: " + e.getMessage()
                            + "; without a dead-letter topic the pipeline stops before it", e);
                }
                context.forward(in.withValue(new Outcome(null, null, envelope(record, e))));
                counts.deadLettered().increment();
                return;
            }
            counts.recordsGrouped().add(grouped.size());
            for (Outcome outcome : grouped) {
                context.forward(in.withValue(outcome));
            }
        }

        private static byte[] envelope(KsfRecord record, Throwable error) {
            try {
                return JSON.writeValueAsBytes(DeadLetters.of(record, error).data());
            } catch (JsonProcessingException e) {
                throw new KsfException("cannot encode the dead letter of " + record.origin(), e);
            }
        }
    }
}
