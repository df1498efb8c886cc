package io.ksf.s3;

import io.ksf.spi.KsfException;
import io.ksf.spi.RetriableException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * How the s3 target stores a staged object: one PUT up to {@code part.size}, a multipart upload above it (aborted
 * when it fails), each call under the retry policy. Safe from the upload threads.
 */
final class S3Uploads {
    private final S3Client client;
    private final S3Target.Settings settings;

    S3Uploads(S3Client client, S3Target.Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** Stores a sealed object of {@code size} bytes at {@code key}. */
    void store(String key, StagedObject staged, long size) {
        if (size <= settings.partSize()) {
            call("PUT s3://" + settings.bucket() + "/" + key, () -> client.putObject(put(key),
                    RequestBody.fromContentProvider(staged::read, size, contentType())));
        } else {
            multipart(key, staged, size);
        }
    }

    private void multipart(String key, StagedObject staged, long size) {
        String where = "s3://" + settings.bucket() + "/" + key;
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(settings.bucket()).key(key).contentType(contentType());
        if (settings.sse() != null) {
            create.serverSideEncryption(settings.sse()).ssekmsKeyId(settings.kmsKeyId());
        }
        String uploadId = call("start multipart upload of " + where,
                () -> client.createMultipartUpload(create.build())).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buffer = new byte[(int) Math.min(settings.partSize(), size)];
            try (InputStream in = staged.read()) {
                for (int number = 1; ; number++) {
                    int length = in.readNBytes(buffer, 0, buffer.length);
                    if (length == 0) {
                        break;
                    }
                    int partNumber = number;
                    String eTag = call("upload part " + number + " of " + where, () -> client.uploadPart(
                            UploadPartRequest.builder().bucket(settings.bucket()).key(key).uploadId(uploadId)
                                    .partNumber(partNumber).contentLength((long) length).build(),
                            RequestBody.fromInputStream(new ByteArrayInputStream(buffer, 0, length), length))).eTag();
                    parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
                }
            }
            call("complete multipart upload of " + where, () -> client.completeMultipartUpload(b -> b
                    .bucket(settings.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())));
        } catch (IOException | RuntimeException e) {
            try {
                client.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(settings.bucket())
                        .key(key).uploadId(uploadId).build());
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e instanceof KsfException k ? k : new KsfException("upload of " + where + " failed: " + e, e);
        }
    }

    /** The PUT of an object at this key, with the content type and server-side encryption of the settings. */
    PutObjectRequest put(String key) {
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(settings.bucket()).key(key)
                .contentType(contentType());
        if (settings.sse() != null) {
            put.serverSideEncryption(settings.sse()).ssekmsKeyId(settings.kmsKeyId());
        }
        return put.build();
    }

    private String contentType() {
        if (settings.compression().contentType() != null) {
            return settings.compression().contentType();
        }
        return switch (settings.format().name()) {
            case "json" -> "application/x-ndjson";
            case "csv" -> "text/csv";
            case "parquet" -> "application/vnd.apache.parquet";
            default -> "application/octet-stream";
        };
    }

    /** Runs one S3 call under the retry policy: throttling, 5xx and network errors are retriable. */
    <T> T call(String what, Supplier<T> request) {
        return settings.retry().call(what, () -> {
            try {
                return request.get();
            } catch (S3Exception e) {
                int status = e.statusCode();
                String message = what + ": " + status + " " + (e.awsErrorDetails() == null ? e.getMessage()
                        : e.awsErrorDetails().errorCode() + " " + e.awsErrorDetails().errorMessage());
                if (status >= 500 || status == 429 || status == 408) {
                    throw new RetriableException(message, e);
                }
                throw new KsfException(message, e);
            } catch (SdkClientException e) {
                throw new RetriableException(what + ": " + e.getMessage(), e);
            }
        });
    }
}
