package io.ksf.s3;

import com.github.luben.zstd.ZstdInputStream;
import io.ksf.spi.Format;
import io.ksf.support.Retry;
import io.ksf.testkit.EmbeddedS3;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/** Buckets on the test S3 server, and what a user reads back from them. */
final class S3Buckets {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    static {
        // the default credentials chain reads these first, as it would read an ECS task role's
        EmbeddedS3.useAsDefaultCredentials();
    }

    private S3Buckets() {
    }

    static S3Client client(EmbeddedS3 s3) {
        return S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true);
    }

    /** A new, empty bucket. */
    static String create(EmbeddedS3 s3, String name) {
        String bucket = name + "-" + COUNTER.incrementAndGet();
        try (S3Client client = client(s3)) {
            client.createBucket(b -> b.bucket(bucket));
        }
        return bucket;
    }

    static S3Target.Settings settings(String bucket, String prefix, Format format, int flushRecords,
                                      ObjectCompression compression) {
        return new S3Target.Settings(bucket, prefix, format, ObjectPartitioner.byKafkaPartition(), flushRecords, 0,
                Duration.ZERO, Duration.ZERO, 8L << 20, 64L << 20, compression, null, null, new Retry(Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofSeconds(1)));
    }

    /** Every object of a bucket by key, as text (decompressed when the key ends with .gz or .zst). */
    static Map<String, String> objects(EmbeddedS3 s3, String bucket) {
        Map<String, String> objects = new TreeMap<>();
        try (S3Client client = client(s3)) {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
                byte[] bytes = client.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray();
                objects.put(object.key(), text(object.key(), bytes));
            }
        }
        return objects;
    }

    private static String text(String key, byte[] bytes) {
        if (!key.endsWith(".gz") && !key.endsWith(".zst")) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        try (InputStream in = key.endsWith(".gz") ? new GZIPInputStream(new ByteArrayInputStream(bytes))
                : new ZstdInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
