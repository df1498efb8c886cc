package io.ksf.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import io.ksf.s3.S3Clients;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedMongo;
import io.ksf.testkit.EmbeddedS3;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.bson.Document;
import org.bson.RawBsonDocument;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The raw limits of {@link EndToEnd}: each server's own client doing the least a path needs (consume, PUT, copy,
 * upsert) on the same servers and data as KSF, so KSF's rows are read as a share of them.
 */
final class RawLimits {
    private final EmbeddedKafka kafka;
    private final EmbeddedS3 s3;
    /** Where S3 requests go: the server, or a proxy that adds latency (--s3-latency). */
    private java.net.URI s3Endpoint;
    private final EmbeddedMongo mongo;
    private final long records;
    private final long docdbRecords;
    private final int partitions;
    private int runs;

    RawLimits(EmbeddedKafka kafka, EmbeddedS3 s3, EmbeddedMongo mongo, long records, long docdbRecords,
              int partitions) {
        this.kafka = kafka;
        this.s3 = s3;
        this.s3Endpoint = s3.endpoint();
        this.mongo = mongo;
        this.records = records;
        this.docdbRecords = docdbRecords;
        this.partitions = partitions;
    }

    private Properties consumerProperties(String groupPrefix) {
        return consumerProperties(kafka, groupPrefix + runs++);
    }

    /** A bare consumer's settings: from the earliest record, commits by hand, 2,000 records a poll. */
    static Properties consumerProperties(EmbeddedKafka kafka, String group) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", group);
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        props.put("max.poll.records", "2000");
        return props;
    }

    /** The limit of reading: a bare consumer of every record of the input topic. */
    void consume() {
        Properties props = consumerProperties("bare-");
        long seen = 0;
        long sink = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("bench"));
            while (seen < records) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    seen++;
                    sink += record.value().length;
                }
            }
            consumer.commitSync();
        }
        if (sink == 0) {
            throw new IllegalStateException("read nothing");
        }
    }

    /** S3 requests of the limits go here instead of to the server. */
    void s3Endpoint(java.net.URI endpoint) {
        this.s3Endpoint = endpoint;
    }

    /** The limit of storing: a PUT of objects of these sizes into the bucket, one after the other. */
    void puts(String bucket, List<Long> sizes) {
        byte[] data = new byte[(int) (sizes.stream().mapToLong(Long::longValue).max().orElse(1))];
        ThreadLocalRandom.current().nextBytes(data);
        try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3Endpoint, true)) {
            int index = 0;
            for (long objectSize : sizes) {
                int n = (int) objectSize;
                String key = "bare/" + index++;
                client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromInputStream(
                        new java.io.ByteArrayInputStream(data, 0, n), n));
            }
        }
    }

    /**
     * The limit of a Kafka -> Kafka copy: a consumer and a producer in one loop, with what KSF's guarantee needs
     * and nothing else (acks=all, idempotence, read_committed; a flush and commit, or a transaction, per 30,000
     * records, as KSF's flushes in this harness).
     */
    void copy(boolean transactional) throws Exception {
        String topic = "bare-copy-" + runs++;
        kafka.createTopic(topic, partitions);
        Properties consumerProps = consumerProperties("bare-copy-");
        consumerProps.put("isolation.level", "read_committed");
        Properties producerProps = new Properties();
        producerProps.put("bootstrap.servers", kafka.bootstrapServers());
        producerProps.put("acks", "all");
        producerProps.put("enable.idempotence", "true");
        if (transactional) {
            producerProps.put("transactional.id", "bare-copy-" + runs++);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps,
                     new org.apache.kafka.common.serialization.ByteArraySerializer(),
                     new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            if (transactional) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            consumer.subscribe(List.of("bench"));
            long seen = 0;
            long sinceCommit = 0;
            while (seen < records) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    producer.send(new ProducerRecord<>(topic, null, record.timestamp(), record.key(), record.value(),
                            record.headers()));
                    seen++;
                    sinceCommit++;
                }
                if (sinceCommit >= 30_000 || seen >= records) {
                    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata>
                            offsets = new java.util.HashMap<>();
                    for (org.apache.kafka.common.TopicPartition tp : consumer.assignment()) {
                        offsets.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(consumer.position(tp)));
                    }
                    if (transactional) {
                        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                        producer.commitTransaction();
                        producer.beginTransaction();
                    } else {
                        producer.flush();
                        consumer.commitSync(offsets);
                    }
                    sinceCommit = 0;
                }
            }
            if (transactional) {
                producer.abortTransaction(); // the empty transaction begun after the last commit
            }
        }
    }

    /** The limit of the md5 row: small documents upserted 500 at a time. */
    void upserts() {
        try (MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> collection = client.getDatabase("bench").getCollection("bare" + runs++);
            List<ReplaceOneModel<Document>> batch = new ArrayList<>(500);
            for (long n = 0; n < docdbRecords; n++) {
                Document doc = new Document("_id", "bench-" + n).append("hashed", Long.toHexString(n * 0x9E3779B97F4A7C15L));
                batch.add(new ReplaceOneModel<>(Filters.eq("_id", doc.get("_id")), doc, new ReplaceOptions().upsert(true)));
                if (batch.size() == 500) {
                    collection.bulkWrite(batch, new BulkWriteOptions().ordered(false));
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                collection.bulkWrite(batch, new BulkWriteOptions().ordered(false));
            }
        }
    }

    /** The limit of the whole-documents row: the same documents, already BSON, upserted 500 at a time. */
    void wholeUpserts(List<RawBsonDocument> documents) {
        try (MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<RawBsonDocument> collection = client.getDatabase("bench")
                    .getCollection("bare" + runs++, RawBsonDocument.class);
            List<ReplaceOneModel<RawBsonDocument>> batch = new ArrayList<>(500);
            ReplaceOptions upsert = new ReplaceOptions().upsert(true);
            for (long n = 0; n < docdbRecords; n++) {
                batch.add(new ReplaceOneModel<>(Filters.eq("_id", "bench-" + n),
                        documents.get((int) (n % documents.size())), upsert));
                if (batch.size() == 500 || n == docdbRecords - 1) {
                    collection.bulkWrite(batch, new BulkWriteOptions().ordered(false));
                    batch.clear();
                }
            }
        }
    }
}
