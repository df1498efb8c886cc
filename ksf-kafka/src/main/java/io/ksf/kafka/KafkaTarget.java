package io.ksf.kafka;

import io.ksf.kafka.KafkaRouting.KeyFrom;
import io.ksf.spi.Check;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.RetriableException;
import io.ksf.spi.Source;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsPositionCommit;
import io.ksf.spi.SupportsServerCheck;
import io.ksf.spi.SupportsTopicMetadata;
import io.ksf.spi.Target;
import io.ksf.spi.TargetContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Produces records to Kafka / Amazon MSK topics with an idempotent producer and {@code acks=all}.
 * {@link #flush()} returns positions only once every record sent since the last flush was acknowledged; a record
 * the broker refuses for itself (too large, invalid, not authorized on its topic, routed to a topic that does
 * not exist) is reported to the {@link TargetContext} for the dead letters while its batch-mates are stored.
 *
 * <p>With {@link Builder#exactlyOnce}, the producer is transactional and {@link #commit(Positions)} sends the
 * consumer group's offsets inside the transaction of the data: a {@code read_committed} reader of the output
 * sees every input record once, whatever crashes in between. Source and target must be on one cluster.
 */
public final class KafkaTarget implements Target, SupportsPositionCommit, SupportsServerCheck, SupportsTopicMetadata {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTarget.class);
    private static final Set<Class<? extends Throwable>> REFUSED_FOR_ITSELF = Set.of(RecordTooLargeException.class,
            RecordBatchTooLargeException.class, org.apache.kafka.common.InvalidRecordException.class,
            TopicAuthorizationException.class, UnknownTopicOrPartitionException.class);
    /** Errors after which this producer cannot go on: another instance took over, or the cluster refuses us. */
    private static final List<Class<? extends Throwable>> FATAL = List.of(ProducerFencedException.class,
            InvalidProducerEpochException.class, TransactionalIdAuthorizationException.class,
            ClusterAuthorizationException.class, AuthenticationException.class, UnsupportedVersionException.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final Properties properties;
    private final KafkaRouting routing;
    private final boolean exactlyOnce;
    private final TopicDirectory topics;
    private final ClusterMetadata metadata;
    private List<Sent> pending = new ArrayList<>();
    /** Records routed to topics not looked up yet, with their Kafka records. */
    private final List<Routed> unresolved = new ArrayList<>();
    private TargetContext context = TargetContext.NONE;
    private final Map<SourcePartition, Long> refusedNext = new HashMap<>();
    /** Positions past acknowledged records, kept across a failed flush until one succeeds. */
    private final Map<SourcePartition, Long> ackedNext = new HashMap<>();
    /** The producer's transactions, with exactly-once; unused without. */
    private final KafkaTransactions transactions;

    private record Sent(KsfRecord record, ProducerRecord<byte[], byte[]> out, Future<RecordMetadata> ack) {
    }

    private record Routed(KsfRecord record, ProducerRecord<byte[], byte[]> out) {
    }

    private KafkaTarget(Builder b) {
        this.routing = new KafkaRouting(b.topicTemplate, b.topicField, b.keyFrom, b.keyField, b.format,
                b.originHeaders);
        this.exactlyOnce = b.exactlyOnce;
        Properties props = new Properties();
        props.putAll(b.properties);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        // throughput defaults, a user's properties win: batches of up to 256 KiB cost less CPU per record than the
        // client's 16 KiB, here and in the broker (RESULTS.md, "Kafka -> Kafka against MirrorMaker 2")
        props.putIfAbsent("batch.size", "262144");
        props.putIfAbsent("linger.ms", "10");
        if (exactlyOnce) {
            props.putIfAbsent("transactional.id", "ksf-" + UUID.randomUUID());
            // a crashed instance's open transaction holds read_committed readers back until it times out
            props.putIfAbsent("transaction.timeout.ms", "10000");
        }
        this.properties = props;
        this.topics = new TopicDirectory(props);
        this.metadata = new ClusterMetadata(topics, props);
        try {
            this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new KsfException("cannot create the Kafka producer: " + KafkaSource.rootMessage(e), e);
        }
        this.transactions = new KafkaTransactions(producer, props, exactlyOnce);
    }

    /** A target that produces with these producer properties (bootstrap.servers, security settings ...). */
    public static Builder builder(Properties producerProperties) {
        return new Builder(producerProperties);
    }

    /**
     * The dead-letter destination of a pipeline: each bad record's original key, value and headers (with the
     * runtime's origin and error headers) to one topic.
     */
    public static KafkaTarget deadLetters(Properties producerProperties, String topic) {
        return builder(producerProperties).topic(topic).build();
    }

    @Override
    public void write(List<KsfRecord> records) {
        transactions.beginIfNeeded();
        for (KsfRecord record : records) {
            send(record);
        }
    }

    private void send(KsfRecord record) {
        ProducerRecord<byte[], byte[]> out;
        try {
            out = routing.toKafka(record);
        } catch (InvalidRecordException e) {
            refuse(record, e);
            return;
        }
        if (!topics.known(out.topic())) {
            unresolved.add(new Routed(record, out)); // looked up in flush(), where a silent cluster is retried
            return;
        }
        sendKnown(record, out);
    }

    /**
     * Sends to a topic that exists. A record too large for its topic is refused here: sent, it could share a
     * batch that the broker refuses, which the producer splits and sends again without end.
     */
    private void sendKnown(KsfRecord record, ProducerRecord<byte[], byte[]> out) {
        int limit = topics.maxMessageBytes(out.topic());
        if (limit != Integer.MAX_VALUE) {
            int size = batchSizeUpperBound(out);
            if (size > limit) {
                refuse(record, new InvalidRecordException("the record needs up to " + size + " bytes, more than topic "
                        + out.topic() + " takes (max.message.bytes " + limit + ")"));
                return;
            }
        }
        pending.add(new Sent(record, out, producer.send(out)));
    }

    /** A batch holding only this record: batch header, record framing, key, value and headers, uncompressed. */
    private static int batchSizeUpperBound(ProducerRecord<byte[], byte[]> out) {
        int size = 61 + 21 + (out.key() == null ? 0 : out.key().length) + (out.value() == null ? 0 : out.value().length);
        for (org.apache.kafka.common.header.Header header : out.headers()) {
            size += 10 + header.key().length() * 3 + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    private void refuse(KsfRecord record, InvalidRecordException reason) {
        context.reject(record, reason);
        refusedNext.merge(record.topicPartition(), record.offset() + 1, Math::max);
    }

    @Override
    public Positions flush() {
        resolveTopics();
        producer.flush();
        List<Sent> failed = new ArrayList<>();
        List<Sent> acked = new ArrayList<>(pending.size());
        Throwable firstFailure = null;
        boolean refused = false;
        for (Sent sent : pending) {
            Throwable error = outcome(sent.ack());
            if (error == null) {
                ackedNext.merge(sent.record().topicPartition(), sent.record().offset() + 1, Math::max);
                acked.add(sent);
            } else if (REFUSED_FOR_ITSELF.contains(error.getClass())) {
                refuse(sent.record(), new InvalidRecordException("Kafka refused the record for topic "
                        + sent.out().topic() + ": " + error.getMessage(), error));
                refused = true;
            } else if (FATAL.stream().anyMatch(fatal -> fatal.isInstance(error))) {
                throw new KsfException("the Kafka producer failed for topic " + sent.out().topic() + ": "
                        + KafkaSource.rootMessage(error), error);
            } else {
                // retriable, or failed beside a refused batch-mate: sent again, within the pipeline's retry bound
                failed.add(sent);
                firstFailure = firstFailure == null ? error : firstFailure;
            }
        }
        if (exactlyOnce && (refused || !failed.isEmpty())) {
            // a transaction with a failed send cannot commit: abort it and send the rest again in a new one
            List<KsfRecord> again = pending.stream().filter(s -> !isRefused(s)).map(Sent::record).toList();
            transactions.abort();
            ackedNext.clear();
            pending = new ArrayList<>();
            write(again);
            if (failed.isEmpty()) {
                return flush();
            }
        } else if (!failed.isEmpty()) {
            reportStored(acked); // stored for good: only the failed ones are sent again
            pending = new ArrayList<>();
            write(failed.stream().map(Sent::record).toList());
        }
        if (!failed.isEmpty()) {
            throw new RetriableException(failed.size() + " records were not acknowledged by Kafka, first for topic "
                    + failed.get(0).out().topic() + ": " + firstFailure);
        }
        reportStored(acked);
        pending = new ArrayList<>();
        refusedNext.forEach((tp, next) -> ackedNext.merge(tp, next, Math::max));
        refusedNext.clear();
        Positions positions = Positions.of(ackedNext);
        ackedNext.clear();
        return positions;
    }

    /** Tells the context where Kafka stored each record (the http source answers with it). */
    private void reportStored(List<Sent> acked) {
        for (Sent sent : acked) {
            RecordMetadata stored = acknowledged(sent.ack());
            context.stored(sent.record(), stored.topic(), stored.partition(), stored.offset());
        }
    }

    /** The metadata of an acknowledgement that {@link #outcome} found successful, so complete. */
    private static RecordMetadata acknowledged(Future<RecordMetadata> ack) {
        try {
            return ack.get();
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("a completed acknowledgement failed", e);
        }
    }

    private boolean isRefused(Sent sent) {
        Throwable error = outcome(sent.ack());
        return error != null && REFUSED_FOR_ITSELF.contains(error.getClass());
    }

    private static Throwable outcome(Future<?> ack) {
        try {
            ack.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KsfException("interrupted while waiting for Kafka acknowledgements", e);
        }
    }

    /** Sends the records whose topic was not known yet, or refuses them when their topic does not exist. */
    private void resolveTopics() {
        if (unresolved.isEmpty()) {
            return;
        }
        transactions.beginIfNeeded();
        for (String topic : new HashSet<>(unresolved.stream().map(r -> r.out().topic()).toList())) {
            String problem = topics.problem(topic); // throws RetriableException while the cluster does not answer
            if (problem != null && topic.equals(routing.fixedTopic())) {
                throw new KsfException(problem);
            }
        }
        List<Routed> waiting = new ArrayList<>(unresolved);
        unresolved.clear();
        for (Routed routed : waiting) {
            String problem = topics.problem(routed.out().topic()); // known now: answered without asking again
            if (problem != null) {
                refuse(routed.record(), new InvalidRecordException(problem));
            } else {
                sendKnown(routed.record(), routed.out());
            }
        }
    }

    @Override
    public void open(TargetContext context) {
        this.context = context;
    }

    /** Values pass through untouched when the formats agree and neither topic nor key is read from them. */
    @Override
    public boolean takesUndecoded(Format sourceFormat) {
        return !routing.needsData() && (routing.writesAsRead() || routing.format().name().equals(sourceFormat.name()));
    }

    /**
     * Exactly-once needs a source whose positions the same cluster stores (a Kafka source reading only committed
     * records, or a source that keeps its checkpoints in a topic there); they then travel inside this target's
     * transactions.
     */
    @Override
    public boolean bindPositionsOf(Source source) {
        if (!exactlyOnce) {
            return false;
        }
        transactions.bind(source);
        return true;
    }

    /** Commits the open transaction with the consumer group's offsets in it. */
    @Override
    public void commit(Positions positions) {
        transactions.commit(positions);
    }

    @Override
    public String clusterId(Duration timeout) {
        return metadata.clusterId(timeout);
    }

    @Override
    public Set<String> topicNames(Duration timeout) {
        return metadata.topicNames(timeout);
    }

    @Override
    public Topic describe(String topic, Duration timeout) {
        return metadata.describe(topic, timeout);
    }

    /** The cluster answers and a fixed topic exists; no probe record is written, since a topic cannot take it back. */
    @Override
    public List<Check> check(Duration timeout, boolean probeWrite) {
        String fixed = routing.fixedTopic();
        return new KafkaChecks(properties, timeout).run(fixed == null ? List.of() : List.of(fixed), null, null);
    }

    @Override
    public void discard(Collection<SourcePartition> partitions) {
        // sends cannot be taken back (the new owner replays these records); their positions are no longer ours
        Set<SourcePartition> lost = new HashSet<>(partitions);
        pending.removeIf(sent -> lost.contains(sent.record().topicPartition()));
        unresolved.removeIf(routed -> lost.contains(routed.record().topicPartition()));
        ackedNext.keySet().removeAll(lost);
        refusedNext.keySet().removeAll(lost);
    }

    @Override
    public void close() {
        transactions.abort();
        topics.close();
        producer.close(Duration.ofSeconds(10));
    }

    /** Builds a {@link KafkaTarget}; a topic (or topic field) is required. */
    public static final class Builder {
        private final Properties properties;
        private String topicTemplate;
        private String topicField;
        private KeyFrom keyFrom = KeyFrom.SOURCE;
        private String keyField;
        private Format format;
        private boolean originHeaders;
        private boolean exactlyOnce;

        private Builder(Properties properties) {
            this.properties = Objects.requireNonNull(properties, "producerProperties");
        }

        /** The topic of every record, or a template such as {@code ${topic}.curated} over the source's topic. */
        public Builder topic(String nameOrTemplate) {
            this.topicTemplate = Objects.requireNonNull(nameOrTemplate, "topic");
            this.topicField = null;
            return this;
        }

        /** The topic named by a field of each record, a dotted path such as {@code meta.topic}. */
        public Builder topicField(String dottedPath) {
            this.topicField = Objects.requireNonNull(dottedPath, "topicField");
            this.topicTemplate = null;
            return this;
        }

        /** The key from a field of each record (a dotted path); text as UTF-8, objects as JSON. */
        public Builder keyField(String dottedPath) {
            this.keyField = Objects.requireNonNull(dottedPath, "keyField");
            this.keyFrom = KeyFrom.FIELD;
            return this;
        }

        /** Records without a key (spread over partitions by the producer). The default is the source's key. */
        public Builder noKey() {
            this.keyFrom = KeyFrom.NONE;
            this.keyField = null;
            return this;
        }

        /**
         * How decoded values are encoded. Without a format, every value is written as it was read, which suits
         * copies and dead letters but not processors that change values.
         */
        public Builder format(Format value) {
            this.format = value;
            return this;
        }

        /** Adds {@code ksf.origin.topic}, {@code .partition}, {@code .offset} and {@code .timestamp} headers. */
        public Builder originHeaders(boolean value) {
            this.originHeaders = value;
            return this;
        }

        /** A transactional producer that commits the source's offsets with the data; see the class comment. */
        public Builder exactlyOnce(boolean value) {
            this.exactlyOnce = value;
            return this;
        }

        /**
         * @throws IllegalStateException    when no topic nor topic field was given
         * @throws IllegalArgumentException when the topic is not a topic name or a template with {@code ${topic}}
         */
        public KafkaTarget build() {
            if (topicTemplate == null && topicField == null) {
                throw new IllegalStateException("KafkaTarget.Builder: no topic; call topic(name) or topicField(path)");
            }
            return new KafkaTarget(this);
        }
    }

    @Override
    public String toString() {
        return "KafkaTarget" + Arrays.asList(routing.fixedTopic(), exactlyOnce ? "exactly-once" : "at-least-once");
    }
}
