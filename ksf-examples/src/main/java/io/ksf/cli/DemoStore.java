package io.ksf.cli;

import io.ksf.file.FileTarget;
import io.ksf.s3.ObjectCompression;
import io.ksf.s3.ObjectPartitioner;
import io.ksf.s3.S3Clients;
import io.ksf.s3.S3Target;
import io.ksf.spi.Format;
import io.ksf.spi.Target;
import io.ksf.support.Retry;
import io.ksf.testkit.EmbeddedS3;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Where the demo writes: a local folder, or a bucket on an embedded S3 server. */
abstract class DemoStore implements AutoCloseable {
    static final String BUCKET = "ksf-demo";

    static DemoStore start(String kind, Path out) {
        return kind.equals("s3") ? new S3Store() : new FolderStore(out.resolve("pins"));
    }

    abstract Target target(Format format);

    /** Objects and their total bytes. */
    abstract long[] objectsAndBytes();

    abstract String where();

    /** Files under a folder and their total bytes; none when it does not exist. */
    static long[] filesAndBytes(Path folder) {
        if (!Files.exists(folder)) {
            return new long[]{0, 0};
        }
        try (Stream<Path> files = Files.walk(folder)) {
            List<Path> objects = files.filter(Files::isRegularFile).toList();
            long bytes = 0;
            for (Path object : objects) {
                bytes += Files.size(object);
            }
            return new long[]{objects.size(), bytes};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
    }

    private static final class FolderStore extends DemoStore {
        private final Path folder;

        FolderStore(Path folder) {
            this.folder = folder;
        }

        @Override
        Target target(Format format) {
            return new FileTarget(folder, "curated/", format);
        }

        @Override
        long[] objectsAndBytes() {
            return filesAndBytes(folder);
        }

        @Override
        String where() {
            return folder.toAbsolutePath().toString();
        }
    }

    private static final class S3Store extends DemoStore {
        private final EmbeddedS3 s3 = EmbeddedS3.start();

        S3Store() {
            // the default credentials chain reads these, as it would read an ECS task role's
            System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
            try (S3Client client = client()) {
                client.createBucket(b -> b.bucket(BUCKET));
            }
        }

        private S3Client client() {
            return S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true);
        }

        @Override
        Target target(Format format) {
            return new S3Target(client(), new S3Target.Settings(BUCKET, "curated/", format,
                    ObjectPartitioner.byKafkaPartition(), 0, 0, Duration.ZERO, Duration.ZERO, 8L << 20, 64L << 20, ObjectCompression.NONE, null,
                    null,
                    new Retry(Duration.ofMinutes(1), Duration.ofMillis(200))));
        }

        @Override
        long[] objectsAndBytes() {
            long count = 0;
            long bytes = 0;
            try (S3Client client = client()) {
                for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents()) {
                    count++;
                    bytes += object.size();
                }
            }
            return new long[]{count, bytes};
        }

        @Override
        String where() {
            return "s3://" + BUCKET + "/curated/pins/ on the embedded S3 server " + s3.endpoint()
                    + " (files under " + s3.bucketFolder(BUCKET) + " until the demo ends)";
        }

        @Override
        public void close() {
            s3.close();
        }
    }
}
