package io.ksf.http;

import io.ksf.http.RestProxy.Embedded;
import io.ksf.http.RestProxy.ErrorCode;
import io.ksf.http.RestProxy.Incoming;
import io.ksf.http.RestProxy.PayloadException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The produce endpoints: checks the path, credentials, topic, content type and size, reads the body without
 * blocking (inflating a gzip one, with the size limit on what it inflates to), and hands the records to the
 * source, which answers once they are durable.
 */
final class ProduceHandler extends Handler.Abstract.NonBlocking {
    private static final Pattern V2 = Pattern.compile("/topics/([^/]+)(?:/partitions/(\\d{1,9}))?/?");
    private static final Pattern V3 = Pattern.compile("/v3/clusters/([^/]+)/topics/([^/]+)/records/?");
    private static final Pattern GZIP = Pattern.compile("\\s*(x-)?gzip\\s*", Pattern.CASE_INSENSITIVE);
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final Pattern VALID_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final String EXPECTED_V2 = "expected " + RestProxy.V2_JSON + ", " + RestProxy.V2_BINARY
            + " or " + RestProxy.JSON;

    private final HttpSource source;
    private final HttpSourceSettings settings;
    private final TopicMetadata metadata;
    private final byte[] expectedAuthorization;

    ProduceHandler(HttpSource source, HttpSourceSettings settings, TopicMetadata metadata) {
        this.source = source;
        this.settings = settings;
        this.metadata = metadata;
        HttpSourceSettings.Auth auth = settings.auth();
        String expected = auth == null ? null : auth.bearerToken() != null ? "Bearer " + auth.bearerToken()
                : "Basic " + Base64.getEncoder().encodeToString((auth.username() + ":" + auth.password())
                .getBytes(StandardCharsets.UTF_8));
        this.expectedAuthorization = expected == null ? null : expected.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        source.received();
        String path = Request.getPathInContext(request);
        Matcher v2 = V2.matcher(path);
        Matcher v3 = V3.matcher(path);
        boolean isV3 = !v2.matches() && v3.matches();
        boolean isMetadata = TopicMetadata.matches(path);
        boolean v3Path = path.startsWith("/v3/"); // errors before the path is known answer as its version does
        if (!v2.matches() && !isV3 && !isMetadata) {
            return error(response, callback, ErrorCode.NOT_FOUND, "HTTP 404 Not Found", v3Path);
        }
        boolean get = request.getMethod().equals("GET");
        if (get ? !isMetadata : !request.getMethod().equals("POST") || !v2.matches() && !isV3) {
            response.getHeaders().put(HttpHeader.ALLOW, isMetadata && (v2.matches() || isV3) ? "GET, POST"
                    : isMetadata ? "GET" : "POST");
            return error(response, callback, ErrorCode.METHOD_NOT_ALLOWED, "HTTP 405 Method Not Allowed", v3Path);
        }
        if (expectedAuthorization != null && !authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, settings.auth().bearerToken() != null
                    ? "Bearer realm=\"ksf\"" : "Basic realm=\"ksf\"");
            return error(response, callback, ErrorCode.UNAUTHORIZED, "Authentication failed", v3Path);
        }
        if (get) {
            // the first question of a while asks the cluster: off the selector's thread
            String base = request.getHttpURI().getScheme() + "://" + request.getHttpURI().getAuthority();
            request.getComponents().getThreadPool().execute(() -> {
                HttpSource.send(response, callback, metadata.answer(path, base));
            });
            return true;
        }
        String topic = isV3 ? v3.group(2) : v2.group(1);
        if (!settings.allows(topic)) {
            return error(response, callback, ErrorCode.TOPIC_NOT_FOUND, "Topic " + topic + " not found.", isV3);
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        Embedded embedded = isV3 ? null : RestProxy.v2Format(contentType);
        if (isV3 ? !RestProxy.isJson(contentType) : embedded == null) {
            return error(response, callback, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "HTTP 415 Unsupported Media Type: "
                    + (isV3 ? "expected " + RestProxy.JSON : EXPECTED_V2) + ", found " + contentType, isV3);
        }
        long length = request.getLength();
        if (length > settings.maxRequestBytes()) {
            return tooLarge(response, callback, isV3);
        }
        String encoding = request.getHeaders().get(HttpHeader.CONTENT_ENCODING);
        boolean gzip = encoding != null && GZIP.matcher(encoding).matches();
        if (encoding != null && !gzip && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            return error(response, callback, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "HTTP 415 Unsupported Media Type: "
                    + "expected Content-Encoding gzip or none, found " + encoding, isV3);
        }
        Integer urlPartition = !isV3 && v2.group(2) != null ? Integer.valueOf(v2.group(2)) : null;
        String clusterId = isV3 ? v3.group(1) : null;
        String idempotencyKey = request.getHeaders().get(IDEMPOTENCY_KEY);
        if (idempotencyKey != null && !VALID_KEY.matcher(idempotencyKey).matches()) {
            return error(response, callback, ErrorCode.PAYLOAD, "Idempotency-Key: expected 1 to 255 visible ASCII "
                    + "characters, found " + idempotencyKey.length() + " characters", isV3);
        }
        Keyed keyed = idempotencyKey == null ? null : new Keyed(topic + "\n" + idempotencyKey, path, contentType);
        Content.Source.asByteArrayAsync(request, (int) settings.maxRequestBytes()).whenComplete((body, failure) -> {
            if (failure != null) {
                if (failure instanceof IllegalArgumentException
                        || failure.getCause() instanceof IllegalArgumentException) {
                    tooLarge(response, callback, isV3);
                } else {
                    callback.failed(failure);
                }
                return;
            }
            byte[] records = body;
            if (gzip) {
                try {
                    records = inflate(body);
                } catch (PayloadException e) {
                    error(response, callback, ErrorCode.PAYLOAD, e.getMessage(), isV3);
                    return;
                } catch (TooLarge e) {
                    error(response, callback, ErrorCode.TOO_LARGE, "Request body too large: the limit is "
                            + settings.maxRequestBytes() + " bytes, inflated", isV3);
                    return;
                }
            }
            produce(response, callback, topic, records, embedded, urlPartition, clusterId, keyed);
        });
        return true;
    }

    /** A gzip body inflated, up to max.request.bytes: the limit holds for what it holds, not for its size sent. */
    private byte[] inflate(byte[] body) throws PayloadException {
        long limit = settings.maxRequestBytes();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            byte[] inflated = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (inflated.length > limit) {
                throw new TooLarge();
            }
            return inflated;
        } catch (IOException e) {
            throw new PayloadException("the body is not valid gzip (Content-Encoding: gzip): " + e.getMessage());
        }
    }

    /** A body beyond max.request.bytes once inflated. */
    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    /** A request's Idempotency-Key (by topic), with what tells its request apart from another's. */
    private record Keyed(String id, String path, String contentType) {
    }

    private void produce(Response response, Callback callback, String topic, byte[] body, Embedded embedded,
                         Integer urlPartition, String clusterId, Keyed keyed) {
        List<Incoming> records;
        try {
            records = clusterId == null ? RestProxy.parseV2(body, embedded, urlPartition)
                    : List.of(RestProxy.parseV3(body));
        } catch (PayloadException e) {
            error(response, callback, ErrorCode.PAYLOAD, e.getMessage(), clusterId != null);
            return;
        }
        HeldRequest held = new HeldRequest(response, callback, topic, records, clusterId);
        IdempotencyKeys keys = source.keys();
        IdempotencyKeys.Entry key = null;
        if (keyed != null) {
            IdempotencyKeys.Claim claim = keys.claim(keyed.id(), IdempotencyKeys.digest(keyed.path(),
                    keyed.contentType(), body), response, callback, settings.requestTimeout());
            switch (claim) {
                case ANSWERED, WAITING -> {
                    return; // not stored again: the first request's answer is (or will be) this one's
                }
                case OTHER_REQUEST -> {
                    error(response, callback, ErrorCode.PAYLOAD, "Idempotency-Key: this key came with a different "
                            + "request within idempotency.window; use a new key for a new request", clusterId != null);
                    return;
                }
                case FIRST -> {
                    key = keys.entry(keyed.id());
                    held.idempotent(keys, key);
                }
            }
        }
        ErrorCode refused = source.hold(topic, records, held);
        if (refused != null) {
            String message = refused == ErrorCode.TOO_MANY_REQUESTS ? "Too many requests: the records waiting to be "
                    + "stored fill the memory budget; retry after 1 s" : "KSF is stopping; the records were not stored";
            error(response, callback, refused, message, clusterId != null);
            if (key != null) {
                keys.release(key, RestProxy.Answer.error(refused, message, clusterId != null));
            }
        }
    }

    private boolean authorized(String authorization) {
        return authorization != null && MessageDigest.isEqual(expectedAuthorization,
                authorization.getBytes(StandardCharsets.UTF_8));
    }

    private boolean tooLarge(Response response, Callback callback, boolean v3) {
        return error(response, callback, ErrorCode.TOO_LARGE, "Request body too large: the limit is "
                + settings.maxRequestBytes() + " bytes", v3);
    }

    private static boolean error(Response response, Callback callback, ErrorCode code, String message,
                                 boolean v3) {
        HttpSource.send(response, callback, RestProxy.Answer.error(code, message, v3));
        return true;
    }
}
