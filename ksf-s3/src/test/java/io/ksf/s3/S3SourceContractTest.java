package io.ksf.s3;

import io.ksf.contract.SourceContract;
import io.ksf.spi.Source;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/** The s3 source passes the Source contract on a real S3 API server: a bucket per test, an object per produce. */
@ExtendWith(S3Server.class)
class S3SourceContractTest extends SourceContract {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private EmbeddedS3 s3;
    private S3Client client;
    private String bucket;
    private int objects;

    static {
        EmbeddedS3.useAsDefaultCredentials();
    }

    @BeforeEach
    void bucket(EmbeddedS3 server) {
        s3 = server;
        client = S3Clients.create(EmbeddedS3.REGION, server.endpoint(), true);
        bucket = "source-contract-" + BUCKETS.incrementAndGet();
        client.createBucket(b -> b.bucket(bucket));
    }

    @Override
    protected void produce(List<String> values) {
        String key = "in/part-" + objects++ + ".txt";
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(String.join("\n", values) + "\n"));
    }

    @Override
    protected Source newSource() {
        S3Source.Settings settings = new S3Source.Settings(bucket, "in/", Pattern.compile(".*\\.txt"),
                S3Source.Records.LINES, 1 << 20, Duration.ofMillis(50), Duration.ofMillis(200), 3, 3);
        return S3Source.withS3Checkpoint(S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true), settings,
                "_ksf/checkpoint.json");
    }
}
