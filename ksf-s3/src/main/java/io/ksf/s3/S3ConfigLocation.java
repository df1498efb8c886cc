package io.ksf.s3;

import io.ksf.s3.S3Clients;
import io.ksf.spi.ConfigException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Reads a config file from {@code s3://bucket/key}, as the release-1 ECS task's {@code configFileLocation} gives
 * it. Credentials and region come from the AWS default chains; {@code AWS_ENDPOINT_URL_S3} (or
 * {@code AWS_ENDPOINT_URL}) points it at an S3-compatible store.
 */
public final class S3ConfigLocation {
    private S3ConfigLocation() {
    }

    /** Whether a config location is an {@code s3://bucket/key} address. */
    public static boolean matches(String location) {
        return location.startsWith("s3://");
    }

    /** Reads the config text at an {@code s3://} address with the default credentials. */
    public static String read(String location, Function<String, String> environment) {
        URI uri = URI.create(location);
        String bucket = uri.getHost();
        String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (bucket == null || key.isEmpty()) {
            throw new ConfigException(location + ": expected s3://bucket/key");
        }
        String endpoint = environment.apply("AWS_ENDPOINT_URL_S3");
        if (endpoint == null) {
            endpoint = environment.apply("AWS_ENDPOINT_URL");
        }
        try (S3Client client = S3Clients.create(null, endpoint == null ? null : URI.create(endpoint),
                endpoint != null)) {
            ResponseBytes<GetObjectResponse> bytes = client.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return bytes.asString(StandardCharsets.UTF_8);
        } catch (SdkException e) {
            throw new ConfigException(location + ": cannot read the config: " + e.getMessage());
        }
    }
}
