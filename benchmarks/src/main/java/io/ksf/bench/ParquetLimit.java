package io.ksf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.parquet.Codecs;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.io.IOException;
import java.util.List;

/**
 * The Parquet limit: the posts, already in memory, parsed by Jackson and written by parquet-java's own example
 * writer (its {@code Group} API, snappy pages, dictionaries on) into files of {@code rowsPerFile} rows that go
 * nowhere. What a hand-written JSON-to-Parquet loop costs, without a source, a target or delivery rules.
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
            NullFile file = new NullFile();
            try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(file).withType(POSTS)
                    .withConf(new PlainParquetConfiguration()).withCodecFactory(Codecs.INSTANCE)
                    .withCompressionCodec(CompressionCodecName.SNAPPY).withDictionaryEncoding(true)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
                for (byte[] post : posts.subList(start, Math.min(posts.size(), start + rowsPerFile))) {
                    writer.write(group(groups, mapper.readTree(post)));
                }
            }
            bytes += file.written;
        }
        return bytes;
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

    /** An output file that counts the bytes and keeps none. */
    private static final class NullFile implements OutputFile {
        long written;

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return new PositionOutputStream() {
                @Override
                public long getPos() {
                    return written;
                }

                @Override
                public void write(int b) {
                    written++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    written += len;
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }
    }
}
