package io.ksf.s3;

import io.ksf.checkpoint.CheckpointStore;
import io.ksf.spi.KsfException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A checkpoint in an S3 object, written with a conditional write: {@code If-None-Match: *} the first time, then
 * {@code If-Match} the ETag this instance wrote last. Another instance that wrote it in between makes the write fail
 * with 412, and this one stops instead of reading objects twice.
 */
final class S3CheckpointStore implements CheckpointStore {
    private final S3Client client;
    private final String bucket;
    private final String key;
    private String etag;

    S3CheckpointStore(S3Client client, String bucket, String key) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
    }

    @Override
    public byte[] load(int shard) {
        try {
            ResponseBytes<GetObjectResponse> object = client.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            etag = object.response().eTag();
            return object.asByteArray();
        } catch (NoSuchKeyException e) {
            etag = null;
            return null;
        } catch (S3Exception e) {
            throw new KsfException("cannot read the checkpoint " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(int shard, byte[] checkpoint) {
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key)
                .contentType("application/json");
        if (etag == null) {
            put.ifNoneMatch("*");
        } else {
            put.ifMatch(etag);
        }
        try {
            etag = client.putObject(put.build(), RequestBody.fromBytes(checkpoint)).eTag();
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                throw new KsfException("the checkpoint " + describe() + " was written by another instance since "
                        + "this one read it; stopping, so that no object is read by two instances", e);
            }
            throw new KsfException("cannot write the checkpoint " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + key;
    }
}
