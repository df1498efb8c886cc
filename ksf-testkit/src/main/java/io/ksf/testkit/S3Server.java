package io.ksf.testkit;

/** Gives tests a real S3 API server ({@link EmbeddedS3}), one per test JVM; tests use their own buckets. */
public final class S3Server extends SharedServer<EmbeddedS3> {
    public S3Server() {
        super(EmbeddedS3.class, EmbeddedS3::start);
    }
}
