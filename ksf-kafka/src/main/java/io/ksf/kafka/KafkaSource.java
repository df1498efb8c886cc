package io.ksf.kafka;

import io.ksf.spi.Check;
import io.ksf.spi.Header;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsLag;
import io.ksf.spi.SupportsResumePositions;
import io.ksf.spi.SupportsServerCheck;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Reads a Kafka topic list or pattern as a member of a consumer group, with kafka-clients. Auto commit is always
 * off: offsets are committed only through {@link #commit}, which the runtime calls once the target made the data
 * durable. Rebalances reach the runtime's {@link SourceContext} during {@link #poll}, on the poll thread,
 * as KafkaConsumer's javadoc prescribes: commit on revoke, nothing on lost.
 */
public final class KafkaSource
        implements Source, SupportsResumePositions, SupportsLag, SupportsServerCheck, TransactionalPositions {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSource.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Properties properties;
    private final List<String> topics;
    private final Pattern pattern;
    private final String offsetReset;

    /** KSF's default {@code fetch.max.bytes}. */
    static final int DEFAULT_FETCH_MAX_BYTES = 8 << 20;

    /**
     * @param properties consumer properties; deserializers are set here, and auto commit is forced off (with a
     *                   warning when they ask for it), since only {@link #commit} may move the group's offsets
     * @param topics     topics to subscribe to, or empty when {@code pattern} is given
     * @param pattern    a topic pattern to subscribe to, or null
     */
    public KafkaSource(Properties properties, List<String> topics, Pattern pattern) {
        this.topics = List.copyOf(topics);
        this.pattern = pattern;
        // KSF applies auto.offset.reset itself, so that every reset is logged with topic, partition and offsets
        this.offsetReset = String.valueOf(properties.getOrDefault("auto.offset.reset", "earliest"));
        Properties consumerProperties = new Properties();
        consumerProperties.putAll(properties);
        Object autoCommit = properties.get("enable.auto.commit");
        if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
            LOG.warn("enable.auto.commit=true is overridden to false: KSF commits offsets only after the target "
                    + "made the data durable");
        }
        consumerProperties.put("enable.auto.commit", "false");
        consumerProperties.put("auto.offset.reset", "none");
        // smaller than the client's 50 MiB, so the fetch buffers leave most of a memory budget to records in flight
        consumerProperties.putIfAbsent("fetch.max.bytes", String.valueOf(DEFAULT_FETCH_MAX_BYTES));
        this.properties = consumerProperties;
        try {
            this.consumer = new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw new KsfException("cannot create the Kafka consumer: " + rootMessage(e), e);
        }
    }

    /**
     * A completed fetch waiting to be polled and one under way, each up to {@code fetch.max.bytes}, or one
     * partition's {@code max.partition.fetch.bytes} when that is larger (a fetch always returns a whole batch).
     * Reserved from the memory budget in {@link #open}.
     */
    public long bufferedBytesBound() {
        long fetch = Long.parseLong(String.valueOf(properties.get("fetch.max.bytes")));
        long partition = Long.parseLong(String.valueOf(properties.getOrDefault("max.partition.fetch.bytes",
                String.valueOf(1 << 20))));
        return 2 * Math.max(fetch, partition);
    }

    @Override
    public void open(SourceContext context) {
        context.reserveMemory(bufferedBytesBound());
        ConsumerRebalanceListener rebalances = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    LOG.info("partitions assigned: {}", partitions);
                }
                context.assigned(convert(partitions));
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    context.revoked(convert(partitions));
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    context.lost(convert(partitions));
                }
            }
        };
        if (pattern != null) {
            consumer.subscribe(pattern, rebalances);
        } else {
            consumer.subscribe(topics, rebalances);
        }
    }

    @Override
    public List<KsfRecord> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> polled;
        try {
            polled = consumer.poll(timeout);
        } catch (WakeupException e) {
            return List.of();
        } catch (NoOffsetForPartitionException e) {
            reset(e.partitions(), Map.of());
            return List.of();
        } catch (OffsetOutOfRangeException e) {
            reset(e.offsetOutOfRangePartitions().keySet(), e.offsetOutOfRangePartitions());
            return List.of();
        } catch (AuthenticationException e) {
            throw new KsfException("authentication to the Kafka brokers failed: " + e.getMessage(), e);
        } catch (AuthorizationException e) {
            throw new KsfException("not authorized to read from Kafka: " + e.getMessage(), e);
        }
        List<KsfRecord> records = new ArrayList<>(polled.count());
        for (ConsumerRecord<byte[], byte[]> record : polled) {
            records.add(KsfRecord.of(record.topic(), record.partition(), record.offset(), record.timestamp(),
                    record.key(), record.value(), headers(record)));
        }
        return records;
    }

    /** The consumer's position of each partition, after applying auto.offset.reset where none is committed. */
    @Override
    public Positions resumePositions(Collection<SourcePartition> partitions) {
        Map<SourcePartition, Long> resume = new HashMap<>();
        for (SourcePartition partition : partitions) {
            TopicPartition tp = new TopicPartition(partition.topic(),
                    partition.partition());
            long position;
            try {
                position = consumer.position(tp);
            } catch (NoOffsetForPartitionException e) {
                reset(e.partitions(), Map.of());
                position = consumer.position(tp);
            }
            resume.put(partition, position);
        }
        return Positions.of(resume);
    }

    /** Moves partitions without a valid position to the start or the end, as auto.offset.reset says. */
    private void reset(Collection<TopicPartition> partitions,
                       Map<TopicPartition, Long> outOfRange) {
        if (offsetReset.equals("none")) {
            throw new KsfException("no valid offset for " + partitions + (outOfRange.isEmpty() ? ""
                    : " (out of range: " + outOfRange + ")") + " and auto.offset.reset is none");
        }
        boolean earliest = offsetReset.equals("earliest");
        if (earliest) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        for (TopicPartition tp : partitions) {
            long position = consumer.position(tp);
            Long bad = outOfRange.get(tp);
            if (bad != null) {
                LOG.warn("{} partition {}: offset {} is out of range; reset to the {} offset {} (auto.offset.reset={})",
                        tp.topic(), tp.partition(), bad, earliest ? "earliest" : "latest", position, offsetReset);
            } else {
                LOG.info("{} partition {}: no committed offset; starting at the {} offset {}", tp.topic(),
                        tp.partition(), earliest ? "earliest" : "latest", position);
            }
        }
    }

    private static List<Header> headers(ConsumerRecord<byte[], byte[]> record) {
        if (!record.headers().iterator().hasNext()) {
            return List.of();
        }
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(h -> headers.add(new Header(h.key(), h.value())));
        return headers;
    }

    @Override
    public void commit(Positions positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = toOffsets(positions);
        for (int attempt = 1; ; attempt++) {
            try {
                consumer.commitSync(offsets);
                return;
            } catch (WakeupException e) {
                // a stop was asked for while committing; the commit must still happen, so try once more
                if (attempt > 1) {
                    throw new KsfException("commit of " + positions + " interrupted twice by wakeup", e);
                }
            } catch (CommitFailedException | RebalanceInProgressException e) {
                // the partitions went to another member, which replays them; idempotent targets absorb that
                LOG.warn("commit of {} failed because the group rebalanced: {}", positions, e.getMessage());
                return;
            } catch (KafkaException e) {
                throw new KsfException("commit of " + positions + " failed: " + rootMessage(e), e);
            }
        }
    }

    /** The consumer's group metadata, which fences a zombie's transactional offset commits; poll thread only. */
    @Override
    public ConsumerGroupMetadata groupMetadata() {
        return consumer.groupMetadata();
    }

    /** The consumer's properties, as given with KSF's overrides. */
    @Override
    public Properties positionsCluster() {
        return properties;
    }

    /** The group's offsets: the positions themselves. */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> offsets(Positions positions) {
        return toOffsets(positions);
    }

    /** None: the offsets are the positions. */
    @Override
    public List<ProducerRecord<byte[], byte[]>> records(Positions positions) {
        return List.of();
    }

    @Override
    public List<Check> check(Duration timeout, boolean probeWrite) {
        return new KafkaChecks(properties, timeout).run(topics, pattern, properties.getProperty("group.id"));
    }

    @Override
    public void pause(Collection<SourcePartition> partitions) {
        consumer.pause(toKafka(partitions));
    }

    @Override
    public void resume(Collection<SourcePartition> partitions) {
        consumer.resume(toKafka(partitions));
    }

    @Override
    public Map<SourcePartition, Long> lag() {
        Map<SourcePartition, Long> lag = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            consumer.currentLag(tp).ifPresent(behind -> lag.put(new SourcePartition(tp.topic(), tp.partition()), behind));
        }
        return lag;
    }

    @Override
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        try {
            consumer.close(CLOSE_TIMEOUT);
        } catch (WakeupException e) {
            consumer.close(CLOSE_TIMEOUT);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> toOffsets(Positions positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        positions.asMap().forEach((tp, next) ->
                offsets.put(new TopicPartition(tp.topic(), tp.partition()),
                        new OffsetAndMetadata(next)));
        return offsets;
    }

    private static List<SourcePartition> convert(Collection<TopicPartition> partitions) {
        return partitions.stream().map(tp -> new SourcePartition(tp.topic(), tp.partition())).toList();
    }

    private static List<TopicPartition> toKafka(Collection<SourcePartition> partitions) {
        return partitions.stream().map(tp -> new TopicPartition(tp.topic(), tp.partition()))
                .toList();
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getMessage() + ")";
    }
}
