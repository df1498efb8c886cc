package io.ksf.source.kafka;

import io.ksf.spi.Check;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.RetriableException;
import io.ksf.spi.Target;
import io.ksf.spi.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Produces each record's original key, value and headers to one topic: the {@code kafka} dead-letter
 * destination, where the runtime's origin and error headers travel with the bad record. {@link #flush()} waits
 * for every send to be acknowledged ({@code acks=all}, idempotent producer) before returning positions.
 */
public final class KafkaTarget implements Target {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Properties properties;
    private final List<Sent> pending = new ArrayList<>();

    private record Sent(KsfRecord record, Future<?> ack) {
    }

    public KafkaTarget(Properties properties, String topic) {
        this.topic = topic;
        Properties props = new Properties();
        props.putAll(properties);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        this.properties = props;
        try {
            this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new KsfException("cannot create the Kafka producer: " + KafkaSource.rootMessage(e), e);
        }
    }

    @Override
    public void write(List<KsfRecord> records) {
        for (KsfRecord record : records) {
            ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, record.key(), record.value());
            record.headers().forEach(h -> out.headers().add(new RecordHeader(h.key(), h.value())));
            pending.add(new Sent(record, producer.send(out)));
        }
    }

    @Override
    public Positions flush() {
        producer.flush();
        Map<TopicPartition, Long> positions = new HashMap<>();
        List<Sent> failed = new ArrayList<>();
        Exception firstError = null;
        for (Sent sent : pending) {
            try {
                sent.ack().get();
                positions.merge(sent.record().topicPartition(), sent.record().offset() + 1, Math::max);
            } catch (ExecutionException e) {
                failed.add(sent);
                firstError = firstError == null ? e : firstError;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KsfException("interrupted while waiting for Kafka acknowledgements", e);
            }
        }
        pending.clear();
        if (!failed.isEmpty()) {
            // send the failed ones again on the next flush; nothing is committed until all are acknowledged
            write(failed.stream().map(Sent::record).toList());
            throw new RetriableException(failed.size() + " records were not acknowledged by topic " + topic + ": "
                    + firstError.getCause());
        }
        return Positions.of(positions);
    }

    /** The cluster answers and the topic exists; no probe record is written, since a topic cannot take it back. */
    @Override
    public List<Check> check(java.time.Duration timeout, boolean probeWrite) {
        return new KafkaChecks(properties, timeout).run(List.of(topic), null, null);
    }

    @Override
    public void discard(Collection<TopicPartition> partitions) {
        // sends cannot be taken back; the records of lost partitions are replayed by their new owner
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
