package io.ksf.s3;

import io.ksf.spi.Option;
import io.ksf.spi.Options;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.List;

/** The options that say how to reach S3, the same for the S3 source and target. */
public final class S3Connection {
    /** The bucket's region; default: the AWS region chain. */
    public static final Option<String> REGION = Option.string("region",
            "the bucket's region; default: the AWS region chain (AWS_REGION ...)");
    /** An S3-compatible endpoint, such as MinIO's. */
    public static final Option<String> ENDPOINT = Option.string("endpoint",
            "endpoint of an S3-compatible store, such as http://127.0.0.1:9000");
    /** Path-style URLs, as most S3-compatible stores need. */
    public static final Option<Boolean> PATH_STYLE = Option.bool("path.style",
            "path-style URLs (endpoint/bucket/key), as most S3-compatible stores need").defaultValue(false);

    private S3Connection() {
    }

    /** The three options, for a factory's option list. */
    public static List<Option<?>> options() {
        return List.of(REGION, ENDPOINT, PATH_STYLE);
    }

    /** Adds a problem when the endpoint is not a URL. */
    public static void check(Options options, List<String> problems) {
        String endpoint = options.get(ENDPOINT);
        if (endpoint == null) {
            return;
        }
        try {
            URI uri = URI.create(endpoint);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            problems.add(options.path() + ".endpoint: expected a URL such as http://127.0.0.1:9000, found \""
                    + endpoint + "\"");
        }
    }

    /** A client for these options, as {@link S3Clients#create} builds it. */
    public static S3Client client(Options options) {
        URI endpoint = options.get(ENDPOINT) == null ? null : URI.create(options.get(ENDPOINT));
        return S3Clients.create(options.get(REGION), endpoint, options.require(PATH_STYLE));
    }
}
