package io.ksf.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.pipeline.DeadLetters;
import io.ksf.spi.Format;
import io.ksf.spi.Header;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kafka Streams topology of a counting pipeline: records of the source topics are decoded with the source
 * format and run through KSF's stateless processors (one node), counted by key in an in-memory table whose
 * changelog is {@code <application.id>-<table>-changelog} (counts as decimal text, as Faust writes them), and every
 * new count goes to the output topic as {@code {"key": ..., "count": ...}}. A record that fails goes to the
 * dead-letter topic with its origin and error, or, without one, stops the topology.
 */
public final class CountTopology {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NOTHING = new byte[0];

    /**
     * @param topics          the source topics
     * @param format          how their values are decoded
     * @param processors      KSF's stateless processors, run before the count
     * @param count           what is counted, and the table
     * @param outputTopic     where new counts go
     * @param deadLetterTopic where bad records go, or null to stop on one
     */
    public record Settings(List<String> topics, Format format, List<Processor> processors, CountStep count,
                           String outputTopic, String deadLetterTopic) {
    }

    private CountTopology() {
    }

    /** The topology for these settings. */
    public static Topology build(Settings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<byte[], Outcome> outcomes = builder.stream(settings.topics(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .processValues(() -> new KsfProcessors(settings), Named.as("ksf-processors"));
        if (settings.deadLetterTopic() != null) {
            outcomes.filter((key, outcome) -> outcome.deadLetter() != null, Named.as("ksf-dead-letters"))
                    .mapValues(Outcome::deadLetter)
                    .to(settings.deadLetterTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        }
        CountStep count = settings.count();
        Materialized<String, Long, KeyValueStore<Bytes, byte[]>> table = Materialized
                .<String, Long>as(Stores.inMemoryKeyValueStore(count.table()))
                .withKeySerde(Serdes.String()).withValueSerde(new DecimalLongSerde());
        outcomes.filter((key, outcome) -> outcome.countKey() != null, Named.as("ksf-counted"))
                .map((key, outcome) -> KeyValue.pair(outcome.countKey(), NOTHING), Named.as("ksf-count-key"))
                .groupByKey(Grouped.with(count.table(), Serdes.String(), Serdes.ByteArray()))
                .count(Named.as(count.table() + "-count"), count.cache() ? table : table.withCachingDisabled())
                .toStream(Named.as(count.table() + "-updates"))
                .mapValues((key, value) -> json(key, value))
                .to(settings.outputTopic(), Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    private static String json(String key, Long count) {
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("key", key);
        update.put("count", count);
        try {
            return JSON.writeValueAsString(update);
        } catch (JsonProcessingException e) {
            throw new KsfException("cannot encode the count of " + key, e);
        }
    }

    /** What one record became: a key to count, or a dead letter (its JSON envelope). */
    record Outcome(String countKey, byte[] deadLetter) {
    }

    /** Decode, KSF's processors and the count key, with the record's origin from Kafka Streams' metadata. */
    private static final class KsfProcessors implements FixedKeyProcessor<byte[], byte[], Outcome> {
        private final Settings settings;
        private FixedKeyProcessorContext<byte[], Outcome> context;

        KsfProcessors(Settings settings) {
            this.settings = settings;
        }

        @Override
        public void init(FixedKeyProcessorContext<byte[], Outcome> processorContext) {
            this.context = processorContext;
        }

        @Override
        public void process(FixedKeyRecord<byte[], byte[]> in) {
            RecordMetadata origin = context.recordMetadata().orElseThrow();
            List<Header> headers = new ArrayList<>();
            in.headers().forEach(h -> headers.add(new Header(h.key(), h.value())));
            KsfRecord record = KsfRecord.of(origin.topic(), origin.partition(), origin.offset(), in.timestamp(),
                    in.key(), in.value(), headers);
            List<String> keys = new ArrayList<>();
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
                for (KsfRecord r : stage) {
                    keys.add(settings.count().keyOf(r));
                }
            } catch (RuntimeException e) {
                if (settings.deadLetterTopic() == null) {
                    throw new KsfException("record " + record.origin() + " failed: " + e.getMessage()
                            + "; without a dead-letter topic the pipeline stops before it", e);
                }
                context.forward(in.withValue(new Outcome(null, envelope(record, e))));
                return;
            }
            for (String key : keys) {
                context.forward(in.withValue(new Outcome(key, null)));
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
