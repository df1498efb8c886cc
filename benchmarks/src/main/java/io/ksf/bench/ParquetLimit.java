package io.ksf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.parquet.Codecs;
import io.ksf.parquet.StreamOutputFile;
import io.ksf.testkit.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The Parquet limits: posts parsed by Jackson and written by parquet-java's own example writer (its {@code Group}
 * API, snappy pages, dictionaries on), as a hand-written JSON-to-Parquet loop does. {@link #write} takes the posts
 * from memory and sends the files nowhere (the writer alone); {@link #path} reads them with a bare consumer and
 * PUTs each file to S3, one thread, no delivery rules (the raw limit of KSF's Kafka -> Parquet -> S3 path).
 */
final class ParquetLimit {
    static final MessageType POSTS = MessageTypeParser.parseMessageType("""
            message post {
              required int64 index;
              required binary unique_id (STRING);
              optional int64 follower_count;
              optional group geo { optional double latitude; optional double longitude; optional binary country (STRING); }
              optional group user { optional binary name (STRING); optional int64 age; }
              optional binary title (STRING);
            }""");

    /** The JSON Schema of the same columns, for KSF's parquet format. */
    static final String POSTS_JSON_SCHEMA = """
            {"type": "object", "required": ["index", "unique_id"], "properties": {
              "index": {"type": "integer"}, "unique_id": {"type": "string"}, "follower_count": {"type": "integer"},
              "geo": {"type": "object", "properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"},
                                                      "country": {"type": "string"}}},
              "user": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}},
              "title": {"type": "string"}}}""";

    private ParquetLimit() {
    }

    /** @return the bytes of the files written */
    static long write(List<byte[]> posts, int rowsPerFile) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        SimpleGroupFactory groups = new SimpleGroupFactory(POSTS);
        long bytes = 0;
        for (int start = 0; start < posts.size(); start += rowsPerFile) {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            try (ParquetWriter<Group> writer = writer(new StreamOutputFile(file))) {
                for (byte[] post : posts.subList(start, Math.min(posts.size(), start + rowsPerFile))) {
                    writer.write(group(groups, mapper.readTree(post)));
                }
            }
            bytes += file.size();
        }
        return bytes;
    }

    /**
     * Reads {@code records} posts of the topic with a bare consumer, writes a file per partition and PUTs it to the
     * bucket each time it has {@code rowsPerFile} rows, then the rest; commits at the end.
     *
     * @return the bytes stored
     */
    static long path(EmbeddedKafka kafka, String topic, long records, S3Client s3, String bucket, int rowsPerFile)
            throws IOException {
        Properties props = RawLimits.consumerProperties(kafka, "bare-parquet-" + System.nanoTime());
        ObjectMapper mapper = new ObjectMapper();
        SimpleGroupFactory groups = new SimpleGroupFactory(POSTS);
        Map<Integer, OpenFile> open = new HashMap<>();
        long seen = 0;
        long stored = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (seen < records) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    seen++;
                    OpenFile file = open.get(record.partition());
                    if (file == null) {
                        file = new OpenFile(record.partition() + "-" + record.offset());
                        open.put(record.partition(), file);
                    }
                    file.writer.write(group(groups, mapper.readTree(record.value())));
                    if (++file.rows == rowsPerFile) {
                        stored += file.put(s3, bucket);
                        open.remove(record.partition());
                    }
                }
            }
            for (OpenFile file : open.values()) {
                stored += file.put(s3, bucket);
            }
            consumer.commitSync();
        }
        return stored;
    }

    private static ParquetWriter<Group> writer(OutputFile file) throws IOException {
        return ExampleParquetWriter.builder(file).withType(POSTS).withConf(new PlainParquetConfiguration())
                .withCodecFactory(Codecs.INSTANCE).withCompressionCodec(CompressionCodecName.SNAPPY)
                .withDictionaryEncoding(true).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build();
    }

    /** A file of one partition being written in memory. */
    private static final class OpenFile {
        final String key;
        final ByteArrayOutputStream file = new ByteArrayOutputStream();
        final ParquetWriter<Group> writer;
        int rows;

        OpenFile(String key) throws IOException {
            this.key = "bare/" + key + ".parquet";
            this.writer = writer(new StreamOutputFile(file));
        }

        long put(S3Client s3, String bucket) throws IOException {
            writer.close();
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(file.toByteArray()));
            return file.size();
        }
    }

    private static Group group(SimpleGroupFactory groups, JsonNode post) {
        Group row = groups.newGroup().append("index", post.get("index").asLong())
                .append("unique_id", post.get("unique_id").asText())
                .append("follower_count", post.get("follower_count").asLong());
        JsonNode geo = post.get("geo");
        row.addGroup("geo").append("latitude", geo.get("latitude").asDouble())
                .append("longitude", geo.get("longitude").asDouble()).append("country", geo.get("country").asText());
        JsonNode user = post.get("user");
        row.addGroup("user").append("name", user.get("name").asText()).append("age", user.get("age").asLong());
        return row.append("title", post.get("title").asText());
    }
}
