package io.ksf.parquet;

import io.ksf.contract.InMemorySource;
import io.ksf.contract.RunningTask;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineStats;
import io.ksf.s3.ObjectCompression;
import io.ksf.s3.ObjectPartitioner;
import io.ksf.s3.S3Clients;
import io.ksf.s3.S3Target;
import io.ksf.s3.S3TargetFactory;
import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Options;
import io.ksf.spi.Positions;
import io.ksf.support.Retry;
import io.ksf.testkit.DuckDb;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.S3Server;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parquet objects in a bucket of a real S3 API server, cut by size, fetched and read by DuckDB. */
@ExtendWith(S3Server.class)
class ParquetToS3Test {
    static {
        EmbeddedS3.useAsDefaultCredentials();
    }

    @TempDir
    Path dir;

    @Test
    void objectsAreCutBySizeWhileTheWriterStillHoldsTheirRowsAndEachIsAWholeParquetFile(EmbeddedS3 s3)
            throws Exception {
        String bucket = "parquet-lake";
        try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            client.createBucket(b -> b.bucket(bucket));
        }
        ParquetFormat format = new ParquetFormat(JsonSchemas.toParquet(Map.of("type", "object",
                "required", List.of("id"), "properties", Map.of("id", Map.of("type", "integer"),
                        "text", Map.of("type", "string"))), "schema"), CompressionCodecName.SNAPPY, 8L << 20,
                64 << 10);
        // objects of about 64 KiB: far below the row group, so only the writer's buffered rows show their size
        S3Target.Settings settings = new S3Target.Settings(bucket, "lake/", format,
                ObjectPartitioner.byKafkaPartition(), 0, 64 << 10, Duration.ZERO, Duration.ZERO, 8L << 20, 64L << 20,
                ObjectCompression.NONE, null, null, new Retry(Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofSeconds(1)));
        List<KsfRecord> input = new ArrayList<>();
        for (int o = 0; o < 3_000; o++) {
            input.add(KsfRecord.of("posts", o % 2, o / 2, "{\"id\":" + o + ",\"text\":\"" + "x".repeat(100) + o
                    + "\"}"));
        }
        InMemorySource source = new InMemorySource(input, Positions.empty(), 500);
        Pipeline pipeline = Pipeline.builder().source(source, new JsonFormat())
                .target(new S3Target(S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true), settings))
                .flushEvery(100_000, 64L << 20, Duration.ofHours(1)).build();
        try (RunningTask<PipelineStats> running = RunningTask.start("parquet-s3", pipeline::run, pipeline::close)) {
            running.awaitUntil(() -> pipeline.stats().recordsIn() == input.size(), Duration.ofSeconds(30)).stop();
        }

        List<String> keys = new ArrayList<>();
        try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
                keys.add(object.key());
                Files.write(dir.resolve(keys.size() + ".parquet"),
                        client.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray());
            }
        }
        assertThat(keys).hasSizeGreaterThan(4).allMatch(key -> key.startsWith("lake/posts/partition=")
                && key.endsWith(".parquet"));
        assertThat(DuckDb.query("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM read_parquet('" + dir
                + "/*.parquet')")).containsExactly("3000|3000|0|2999");
        assertThat(source.fullyCommitted()).isTrue();
    }

    @Test
    void objectCompressionBesideParquetIsAConfigErrorNamingTheKey() {
        S3TargetFactory factory = new S3TargetFactory();
        ParquetFormat format = new ParquetFormat(JsonSchemas.toParquet(Map.of("type", "object",
                "properties", Map.of("id", Map.of("type", "integer"))), "schema"), CompressionCodecName.SNAPPY,
                8L << 20, 64 << 10);
        Options options = Options.of("target", factory.options(), Map.of("bucket", "lake", "compression", "zstd"));

        assertThatThrownBy(() -> factory.create(options, new FactoryContext("target", format)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("target.compression: expected none with format parquet");
    }
}
