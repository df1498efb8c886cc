package io.ksf.s3;

import io.ksf.contract.TargetContract;
import io.ksf.format.json.JsonFormat;
import io.ksf.spi.Target;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

/** The S3 target passes the Target contract against a real S3 API server. */
@ExtendWith(S3Server.class)
class S3TargetContractTest extends TargetContract {
    private EmbeddedS3 s3;
    private String bucket;

    @BeforeEach
    void bucket(EmbeddedS3 server) {
        this.s3 = server;
        this.bucket = S3Buckets.create(server, "contract");
    }

    @Override
    protected Target newTarget() {
        return new S3Target(S3Buckets.client(s3), S3Buckets.settings(bucket, "curated/", new JsonFormat(), 0,
                ObjectCompression.NONE));
    }

    @Override
    protected List<String> storedValues() {
        List<String> values = new ArrayList<>();
        S3Buckets.objects(s3, bucket).values().forEach(text -> values.addAll(text.lines().toList()));
        return values;
    }
}
