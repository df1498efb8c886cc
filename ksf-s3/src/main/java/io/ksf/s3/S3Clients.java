package io.ksf.s3;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.net.URI;
import java.time.Duration;

/** S3 clients as KSF builds them: default credentials chain, no SDK retries (KSF retries with a time bound). */
public final class S3Clients {
    private S3Clients() {
    }

    /**
     * @param region    the bucket's region, or null for the SDK's region chain
     * @param endpoint  an endpoint for S3-compatible stores, or null
     * @param pathStyle path-style URLs ({@code endpoint/bucket/key}), as most S3-compatible stores need
     */
    public static S3Client create(String region, URI endpoint, boolean pathStyle) {
        S3ClientBuilder builder = S3Client.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(32)
                        .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60)))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(Duration.ofMinutes(2)))
                .forcePathStyle(pathStyle);
        if (region != null) {
            builder.region(Region.of(region));
        } else if (endpoint != null) {
            builder.region(Region.US_EAST_1); // S3-compatible stores ignore it, but SigV4 needs one
        }
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }
}
