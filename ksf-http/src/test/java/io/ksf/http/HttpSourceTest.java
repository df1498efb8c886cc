package io.ksf.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.config.ConfigLoader;
import io.ksf.contract.Wait;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.Registry;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.RunningPipeline;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The http source in a pipeline to the embedded broker, spoken to as REST Proxy's clients speak. */
@ExtendWith(KafkaBroker.class)
class HttpSourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** http -> kafka (${topic}) with these extra source options, such as {@code "auth": "bearer"}. */
    static Pipeline pipeline(String bootstrap, int port, String sourceOptions) {
        String config = """
                {"name": "ingest-%1$d",
                 "source": {"type": "http", "port": %1$d, "host": "127.0.0.1",
                            "topics.regex": "[0-9a-f]+\\\\.(pin|geo|user)"%2$s},
                 "target": {"type": "kafka", "topic": "${topic}", "properties": {"bootstrap.servers": "%3$s"}},
                 "errors": {"tolerance": "all", "retry.timeout": "2m", "retry.backoff": "200ms",
                            "deadletter": {"type": "kafka", "topic": "ingest-%1$d.dlq",
                                           "properties": {"bootstrap.servers": "%3$s"}}}}
                """.formatted(port, sourceOptions, bootstrap);
        return PipelinePlan.resolve(ConfigLoader.create().parse(config), Registry.load())
                .build(new SimpleMeterRegistry());
    }

    /** Runs the pipeline and waits until its server listens. */
    static RunningPipeline start(Pipeline pipeline, int port) {
        RunningPipeline running = RunningPipeline.start(pipeline);
        Wait.until(() -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(30), "the http source listening on " + port);
        return running;
    }

    /** The exact bytes the seed's Python client sends: requests.request("POST", url, headers=..., data=payload). */
    static byte[] pythonRequestsPost(int port, String path, String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "User-Agent: python-requests/2.32.3\r\n"
                + "Accept-Encoding: gzip, deflate\r\n"
                + "Accept: */*\r\n"
                + "Connection: keep-alive\r\n"
                + "Content-Type: application/vnd.kafka.json.v2+json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(body);
        return request.toByteArray();
    }

    /** Sends raw bytes on a new connection and returns the raw response (status line, headers, body). */
    static String exchange(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int contentLength = -1;
            int headerEnd = -1;
            for (int n; (n = in.read(buffer)) > 0; ) {
                response.write(buffer, 0, n);
                String sofar = response.toString(StandardCharsets.UTF_8);
                if (headerEnd < 0 && (headerEnd = sofar.indexOf("\r\n\r\n")) >= 0) {
                    for (String line : sofar.substring(0, headerEnd).split("\r\n")) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            contentLength = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                }
                if (headerEnd >= 0 && response.size() >= headerEnd + 4 + contentLength) {
                    break;
                }
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    static HttpResponse<String> post(int port, String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Sends a request with Java's client and waits for the whole answer. */
    static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aPythonClientsPostIsAnsweredWithOffsetsOnlyOnceItsRecordIsInTheTopic(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("0a1b2c.pin", 1);
        int port = freePort();
        kafka.createTopic("ingest-" + port + ".dlq", 1);
        try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port, ""), port)) {
            String payload = "{\"records\": [{\"value\": {\"index\": 7528, \"unique_id\": "
                    + "\"fbe53c66-3442-4773-b19e-d3ec6f19e7ab\", \"title\": \"No Title Data Available\", "
                    + "\"follower_count\": \"0\", \"downloaded\": 0, "
                    + "\"save_location\": \"Local save in /data/mens-fashion\", "
                    + "\"category\": \"mens-fashion\"}}]}";
            String response = exchange(port, pythonRequestsPost(port, "/topics/0a1b2c.pin", payload));

            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("Content-Type: application/vnd.kafka.v2+json\r\n");
            JsonNode body = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
            assertThat(body.at("/offsets/0/partition").asInt()).isZero();
            assertThat(body.at("/offsets/0/error_code").isNull()).isTrue();
            assertThat(body.at("/offsets").size()).isEqualTo(1);
            // 200 means durable: the record is in the topic the moment the answer arrives
            assertThat(values(kafka.read("0a1b2c.pin"))).containsExactly("{\"index\":7528,\"unique_id\":"
                    + "\"fbe53c66-3442-4773-b19e-d3ec6f19e7ab\",\"title\":\"No Title Data Available\","
                    + "\"follower_count\":\"0\",\"downloaded\":0,"
                    + "\"save_location\":\"Local save in /data/mens-fashion\","
                    + "\"category\":\"mens-fashion\"}");
        }
    }

    /**
     * REST Proxy answers with the partition and offset the broker gave each record; so does KSF with a Kafka target.
     * The topic holds records before, so KSF's own positions would not match by chance.
     */
    @Test
    void answersCarryThePartitionAndOffsetKafkaGaveEachRecord(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("2b2b2b.pin", 3);
        kafka.produce("2b2b2b.pin", 3, IntStream.range(0, 30).mapToObj(n -> "{\"before\":" + n + "}").toList());
        int port = freePort();
        kafka.createTopic("ingest-" + port + ".dlq", 1);
        try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port, ""), port)) {
            // REST Proxy's documented v2 example, then requests from several clients at once
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            answers.add(CLIENT.sendAsync(v2Request(port, "{\"records\":[{\"key\":\"somekey\",\"value\":"
                    + "{\"foo\":\"bar\"}},{\"value\":[\"foo\",\"bar\"],\"partition\":1},{\"value\":53.5}]}"),
                    HttpResponse.BodyHandlers.ofString()));
            for (int n = 0; n < 20; n++) {
                answers.add(CLIENT.sendAsync(v2Request(port, "{\"records\":[{\"key\":\"k" + n + "\",\"value\":"
                        + "{\"n\":" + n + "}},{\"value\":{\"m\":" + n + "}}]}"), HttpResponse.BodyHandlers.ofString()));
            }
            HttpResponse<String> v3 = post(port, "/v3/clusters/lkc-1/topics/2b2b2b.pin/records", RestProxy.JSON,
                    "{\"partition_id\":2,\"value\":{\"type\":\"JSON\",\"data\":{\"v3\":true}}}");

            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                answer.get(60, TimeUnit.SECONDS);
            }
            List<ConsumerRecord<byte[], byte[]>> stored = kafka.read("2b2b2b.pin");
            assertThat(stored).hasSize(30 + 3 + 40 + 1);
            int checked = 0;
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                for (JsonNode offset : JSON.readTree(response.body()).get("offsets")) {
                    ConsumerRecord<byte[], byte[]> at = stored.stream().filter(r -> r.partition()
                            == offset.get("partition").asInt() && r.offset() == offset.get("offset").asLong())
                            .findFirst().orElseThrow(() -> new AssertionError("nothing in Kafka at " + offset));
                    assertThat(new String(at.value(), StandardCharsets.UTF_8)).doesNotContain("before");
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(43);
            JsonNode first = JSON.readTree(answers.get(0).get().body()).get("offsets");
            assertThat(first.get(1).get("partition").asInt()).isEqualTo(1);
            assertThat(valueAt(stored, first.get(0))).isEqualTo("{\"foo\":\"bar\"}");
            assertThat(valueAt(stored, first.get(1))).isEqualTo("[\"foo\",\"bar\"]");
            assertThat(valueAt(stored, first.get(2))).isEqualTo("53.5");
            JsonNode report = JSON.readTree(v3.body());
            assertThat(report.get("partition_id").asInt()).isEqualTo(2);
            ConsumerRecord<byte[], byte[]> v3Record = stored.stream().filter(r -> r.partition() == 2
                    && r.offset() == report.get("offset").asLong()).findFirst().orElseThrow();
            assertThat(new String(v3Record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"v3\":true}");
        }
    }

    /** REST Proxy's v2 and v3 metadata calls, answered from the target cluster for the topics clients may post to. */
    @Test
    void metadataCallsDescribeTheAllowedTopicsAsTheClusterHasThem(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("3c3c3c.pin", 3, Map.of("retention.ms", "3600000"));
        kafka.createTopic("3c3c3c.geo", 1);
        kafka.createTopic("other-3c", 1);
        int port = freePort();
        kafka.createTopic("ingest-" + port + ".dlq", 1);
        String clusterId = kafka.admin().describeCluster().clusterId().get();
        int broker = kafka.admin().describeCluster().nodes().get().iterator().next().id();
        try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port, ""), port)) {
            HttpResponse<String> names = get(port, "/topics");
            assertThat(names.statusCode()).isEqualTo(200);
            assertThat(names.headers().firstValue("Content-Type")).hasValue(RestProxy.V2_RESPONSE);
            List<String> listed = new ArrayList<>();
            JSON.readTree(names.body()).forEach(name -> listed.add(name.asText()));
            assertThat(listed).contains("3c3c3c.pin", "3c3c3c.geo").doesNotContain("other-3c", "ingest-" + port + ".dlq")
                    .allMatch(name -> name.matches("[0-9a-f]+\\.(pin|geo|user)"));

            JsonNode pin = JSON.readTree(get(port, "/topics/3c3c3c.pin").body());
            assertThat(pin.get("name").asText()).isEqualTo("3c3c3c.pin");
            assertThat(pin.at("/configs/retention.ms").asText()).isEqualTo("3600000");
            assertThat(pin.at("/configs/cleanup.policy").asText()).isEqualTo("delete");
            assertThat(pin.get("partitions")).hasSize(3);
            assertThat(pin.at("/partitions/2").toString()).isEqualTo("{\"partition\":2,\"leader\":" + broker
                    + ",\"replicas\":[{\"broker\":" + broker + ",\"leader\":true,\"in_sync\":true}]}");
            assertThat(JSON.readTree(get(port, "/topics/3c3c3c.pin/partitions").body())).hasSize(3);
            assertThat(JSON.readTree(get(port, "/topics/3c3c3c.pin/partitions/1").body()).get("partition").asInt())
                    .isEqualTo(1);
            HttpResponse<String> noPartition = get(port, "/topics/3c3c3c.pin/partitions/7");
            assertThat(noPartition.statusCode()).isEqualTo(404);
            assertThat(noPartition.body()).isEqualTo("{\"error_code\":40402,\"message\":\"Partition not found.\"}");
            for (String hidden : List.of("other-3c", "3c3c3c.user")) { // not allowed; allowed but not there (yet)
                HttpResponse<String> missing = get(port, "/topics/" + hidden);
                assertThat(missing.statusCode()).isEqualTo(404);
                assertThat(missing.body()).isEqualTo("{\"error_code\":40401,\"message\":\"Topic not found.\"}");
            }

            JsonNode clusters = JSON.readTree(get(port, "/v3/clusters").body());
            assertThat(clusters.get("kind").asText()).isEqualTo("KafkaClusterList");
            assertThat(clusters.at("/data/0/cluster_id").asText()).isEqualTo(clusterId);
            assertThat(clusters.at("/data/0/metadata/self").asText())
                    .isEqualTo("http://127.0.0.1:" + port + "/v3/clusters/" + clusterId);
            assertThat(JSON.readTree(get(port, "/v3/clusters/" + clusterId).body()).get("kind").asText())
                    .isEqualTo("KafkaCluster");
            HttpResponse<String> otherCluster = get(port, "/v3/clusters/elsewhere");
            assertThat(otherCluster.statusCode()).isEqualTo(404);
            assertThat(otherCluster.body()).contains("Cluster elsewhere cannot be found.");
            JsonNode topics = JSON.readTree(get(port, "/v3/clusters/" + clusterId + "/topics").body());
            assertThat(topics.get("kind").asText()).isEqualTo("KafkaTopicList");
            JsonNode v3Pin = null;
            for (JsonNode topic : topics.get("data")) {
                assertThat(topic.get("topic_name").asText()).isNotEqualTo("other-3c");
                v3Pin = topic.get("topic_name").asText().equals("3c3c3c.pin") ? topic : v3Pin;
            }
            assertThat(v3Pin).isNotNull();
            assertThat(v3Pin.get("partitions_count").asInt()).isEqualTo(3);
            assertThat(v3Pin.get("replication_factor").asInt()).isEqualTo(1);
            assertThat(v3Pin.get("is_internal").asBoolean()).isFalse();
            JsonNode geo = JSON.readTree(get(port, "/v3/clusters/" + clusterId + "/topics/3c3c3c.geo").body());
            assertThat(geo.get("partitions_count").asInt()).isEqualTo(1);
            assertThat(geo.at("/partitions/related").asText()).endsWith("/topics/3c3c3c.geo/partitions");
            HttpResponse<String> v3Missing = get(port, "/v3/clusters/" + clusterId + "/topics/other-3c");
            assertThat(v3Missing.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(v3Missing.body()).get("error_code").asInt()).isEqualTo(40403);

            // a client checks, then produces with the cluster id it was given
            assertThat(post(port, "/v3/clusters/" + clusterId + "/topics/3c3c3c.geo/records", RestProxy.JSON,
                    "{\"value\":{\"type\":\"JSON\",\"data\":1}}").statusCode()).isEqualTo(200);
            HttpResponse<String> postToList = post(port, "/topics", RestProxy.V2_JSON, "{}");
            assertThat(postToList.statusCode()).isEqualTo(405);
            assertThat(postToList.headers().firstValue("Allow")).hasValue("GET");

            // answers are kept a few seconds: a topic created meanwhile appears after that
            kafka.createTopic("3c3c3c.user", 2);
            Wait.until(() -> get(port, "/topics/3c3c3c.user").statusCode() == 200, Duration.ofSeconds(30),
                    "the new topic described");
        }
    }

    private static HttpResponse<String> get(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build());
    }

    private static String valueAt(List<ConsumerRecord<byte[], byte[]>> records, JsonNode position) {
        return records.stream().filter(r -> r.partition() == position.get("partition").asInt()
                        && r.offset() == position.get("offset").asLong())
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).findFirst().orElseThrow();
    }

    private static HttpRequest v2Request(int port, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/topics/2b2b2b.pin"))
                .header("Content-Type", RestProxy.V2_JSON).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void badRequestsGetRestProxysErrorsAtOnceAndGoodOnesOfEveryFormatAreStored(EmbeddedKafka kafka)
            throws Exception {
        kafka.createTopic("0b0b0b.geo", 3);
        kafka.createTopic("0b0b0b.user", 1);
        int port = freePort();
        kafka.createTopic("ingest-" + port + ".dlq", 1);
        try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port,
                ", \"max.request.bytes\": \"1KiB\""), port)) {
            long start = System.nanoTime();
            HttpResponse<String> unknown = post(port, "/topics/0b0b0b.board", RestProxy.V2_JSON,
                    "{\"records\":[{\"value\":1}]}");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body())
                    .isEqualTo("{\"error_code\":40401,\"message\":\"Topic 0b0b0b.board not found.\"}");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            HttpResponse<String> malformed = post(port, "/topics/0b0b0b.geo", RestProxy.V2_JSON,
                    "{\"records\": [{\"value\": {\"lat\": 1.5,}}]}");
            assertThat(malformed.statusCode()).isEqualTo(422);
            assertThat(JSON.readTree(malformed.body()).get("error_code").asInt()).isEqualTo(42206);
            assertThat(JSON.readTree(malformed.body()).get("message").asText())
                    .startsWith("the body is not valid JSON");

            assertThat(post(port, "/topics/0b0b0b.geo", RestProxy.V2_JSON, "{\"records\": []}").statusCode())
                    .isEqualTo(422);
            HttpResponse<String> avro = post(port, "/topics/0b0b0b.geo", "application/vnd.kafka.avro.v2+json",
                    "{\"records\":[{\"value\":1}]}");
            assertThat(avro.statusCode()).isEqualTo(415);
            assertThat(avro.body()).contains("\"error_code\":415");
            HttpResponse<String> large = post(port, "/topics/0b0b0b.geo", RestProxy.V2_JSON,
                    "{\"records\":[{\"value\":\"" + "x".repeat(2000) + "\"}]}");
            assertThat(large.statusCode()).isEqualTo(413);
            assertThat(post(port, "/nowhere", RestProxy.V2_JSON, "{}").statusCode()).isEqualTo(404);

            // v2 JSON with keys and a partition, v2 binary, plain application/json, and v3
            HttpResponse<String> keyed = post(port, "/topics/0b0b0b.geo", RestProxy.V2_JSON,
                    "{\"records\":[{\"key\":\"k1\",\"value\":{\"lat\":1.5},\"partition\":2},{\"value\":[1,2]}]}");
            assertThat(keyed.statusCode()).as(keyed.body()).isEqualTo(200);
            assertThat(JSON.readTree(keyed.body()).at("/offsets").size()).isEqualTo(2);
            String hello = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
            assertThat(post(port, "/topics/0b0b0b.user/partitions/0", RestProxy.V2_BINARY,
                    "{\"records\":[{\"value\":\"" + hello + "\"}]}").statusCode()).isEqualTo(200);
            assertThat(post(port, "/topics/0b0b0b.user", "application/json; charset=utf-8",
                    "{\"records\":[{\"value\":\"plain\"}]}").statusCode()).isEqualTo(200);
            HttpResponse<String> v3 = post(port, "/v3/clusters/lkc-1/topics/0b0b0b.user/records", RestProxy.JSON,
                    "{\"key\":{\"type\":\"STRING\",\"data\":\"u1\"},"
                            + "\"value\":{\"type\":\"JSON\",\"data\":{\"age\":40}},"
                            + "\"headers\":[{\"name\":\"trace\",\"value\":\"" + hello + "\"}]}");
            assertThat(v3.statusCode()).as(v3.body()).isEqualTo(200);
            JsonNode report = JSON.readTree(v3.body());
            assertThat(report.get("error_code").asInt()).isEqualTo(200);
            assertThat(report.get("topic_name").asText()).isEqualTo("0b0b0b.user");
            assertThat(report.at("/value/size").asInt()).isEqualTo(10);

            List<ConsumerRecord<byte[], byte[]>> geo = kafka.read("0b0b0b.geo");
            assertThat(geo).hasSize(2);
            ConsumerRecord<byte[], byte[]> first = geo.stream().filter(r -> r.key() != null).findFirst().orElseThrow();
            assertThat(first.partition()).isEqualTo(2);
            assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("\"k1\"");
            assertThat(first.headers().lastHeader("ksf.kafka.partition")).isNull();
            assertThat(values(kafka.read("0b0b0b.user"))).containsExactlyInAnyOrder("hello", "\"plain\"",
                    "{\"age\":40}");
            ConsumerRecord<byte[], byte[]> withHeader = kafka.read("0b0b0b.user").stream()
                    .filter(r -> r.headers().lastHeader("trace") != null).findFirst().orElseThrow();
            assertThat(new String(withHeader.headers().lastHeader("trace").value(), StandardCharsets.UTF_8))
                    .isEqualTo("hello");
        }
    }

    /** REST Proxy's gap (kafka-rest#249): gzip bodies are inflated, with max.request.bytes on what they hold. */
    @Test
    void gzipBodiesAreInflatedWithTheSizeLimitOnWhatTheyHold(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("1a1a1a.pin", 1);
        int port = freePort();
        kafka.createTopic("ingest-" + port + ".dlq", 1);
        try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port,
                ", \"max.request.bytes\": \"64KiB\""), port)) {
            StringBuilder body = new StringBuilder("{\"records\":[");
            for (int n = 0; n < 100; n++) {
                body.append(n == 0 ? "" : ",").append("{\"value\":{\"n\":").append(n).append("}}");
            }
            HttpResponse<String> zipped = postGzip(port, "gzip", gzip(body.append("]}").toString().getBytes(
                    StandardCharsets.UTF_8)));
            assertThat(zipped.statusCode()).as(zipped.body()).isEqualTo(200);
            assertThat(JSON.readTree(zipped.body()).at("/offsets").size()).isEqualTo(100);
            assertThat(values(kafka.read("1a1a1a.pin"))).hasSize(100).contains("{\"n\":0}", "{\"n\":99}");

            byte[] bomb = gzip(("{\"records\":[{\"value\":\"" + "0".repeat(10 << 20) + "\"}]}")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(bomb.length).isLessThan(64 << 10);
            HttpResponse<String> tooLarge = postGzip(port, "gzip", bomb);
            assertThat(tooLarge.statusCode()).isEqualTo(413);
            assertThat(tooLarge.body()).contains("the limit is 65536 bytes, inflated");

            HttpResponse<String> broken = postGzip(port, "gzip", "not gzip".getBytes(StandardCharsets.UTF_8));
            assertThat(broken.statusCode()).isEqualTo(422);
            assertThat(broken.body()).contains("not valid gzip");
            HttpResponse<String> brotli = postGzip(port, "br", new byte[] {1, 2, 3});
            assertThat(brotli.statusCode()).isEqualTo(415);
            assertThat(brotli.body()).contains("expected Content-Encoding gzip or none, found br");
            assertThat(values(kafka.read("1a1a1a.pin"))).hasSize(100);
        }
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out)) {
            zip.write(bytes);
        }
        return out.toByteArray();
    }

    private static HttpResponse<String> postGzip(int port, String encoding, byte[] body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/topics/1a1a1a.pin"))
                .header("Content-Type", RestProxy.V2_JSON).header("Content-Encoding", encoding)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withAuthARequestWithoutTheTokenIs401AndASilentClientIsCutOff(EmbeddedKafka kafka) throws IOException {
        kafka.createTopic("0c0c0c.pin", 1);
        int port = freePort();
        kafka.createTopic("ingest-" + port + ".dlq", 1);
        try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port,
                ", \"auth\": \"bearer\", \"auth.token\": \"s3cret-token\", \"idle.timeout\": \"1s\""), port)) {
            // a client that stops sending mid-request is cut off after idle.timeout
            try (Socket slow = new Socket("127.0.0.1", port)) {
                slow.setSoTimeout(15_000);
                slow.getOutputStream().write(("POST /topics/0c0c0c.pin HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        + RestProxy.V2_JSON + "\r\nContent-Length: 100\r\n\r\n{\"rec")
                        .getBytes(StandardCharsets.US_ASCII));
                long sent = System.nanoTime();
                InputStream in = slow.getInputStream();
                while (in.read() >= 0) {
                    continue; // an error answer may come before the close
                }
                assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(10));
            }
            HttpResponse<String> denied = post(port, "/topics/0c0c0c.pin", RestProxy.V2_JSON,
                    "{\"records\":[{\"value\":1}]}");
            assertThat(denied.statusCode()).isEqualTo(401);
            assertThat(denied.body()).isEqualTo("{\"error_code\":40101,\"message\":\"Authentication failed\"}");
            HttpResponse<String> allowed;
            try {
                allowed = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/topics/0c0c0c.pin")).header("Content-Type", RestProxy.V2_JSON)
                        .header("Authorization", "Bearer s3cret-token")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"records\":[{\"value\":2}]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(values(kafka.read("0c0c0c.pin"))).containsExactly("2");
        }
    }

    @Test
    void aRecordTheTargetRefusesIsAnErrorAnswerNotA200(EmbeddedKafka kafka) throws Exception {
        int port = freePort();
        kafka.createTopic("ingest-" + port + ".dlq", 1);
        try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port, ""), port)) {
            // allowed by the source's pattern, but the cluster has no such topic: the target refuses the record
            HttpResponse<String> missing = post(port, "/topics/ffff.pin", RestProxy.V2_JSON,
                    "{\"records\":[{\"value\":1}]}");
            assertThat(missing.statusCode()).as(missing.body()).isEqualTo(422);
            JsonNode body = JSON.readTree(missing.body());
            assertThat(body.get("error_code").asInt()).isEqualTo(42206);
            assertThat(body.get("message").asText()).startsWith("1 of 1 records were not stored: ")
                    .contains("ffff.pin");
            assertThat(body.at("/offsets/0/error_code").asInt()).isEqualTo(42206);
            assertThat(kafka.read("ingest-" + port + ".dlq")).hasSize(1);
        }
    }

    @Test
    void duringATargetOutageRequestsGet503AndEveryAcknowledgedRecordIsStored(EmbeddedKafka dlq) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            kafka.createTopic("0e0e0e.pin", 1);
            int port = freePort();
            kafka.createTopic("ingest-" + port + ".dlq", 1);
            try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port,
                    ", \"request.timeout\": \"3s\", \"memory.budget\": \"300B\""), port)) {
                assertThat(post(port, "/topics/0e0e0e.pin", RestProxy.V2_JSON, "{\"records\":[{\"value\":0}]}")
                        .statusCode()).isEqualTo(200);
                kafka.stop();
                CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> post(port,
                        "/topics/0e0e0e.pin", RestProxy.V2_JSON, "{\"records\":[{\"value\":1}]}"));
                Wait.until(() -> running.pipeline().stats().recordsIn() == 2, Duration.ofSeconds(10),
                        "the second record held");
                // while that record waits, the next request would pass the memory budget
                HttpResponse<String> full = post(port, "/topics/0e0e0e.pin", RestProxy.V2_JSON,
                        "{\"records\":[{\"value\":\"" + "x".repeat(200) + "\"}]}");
                assertThat(full.statusCode()).isEqualTo(429);
                assertThat(full.headers().firstValue("Retry-After")).contains("1");
                assertThat(JSON.readTree(full.body()).get("error_code").asInt()).isEqualTo(42901);
                HttpResponse<String> during = held.join();
                assertThat(during.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(during.body()).get("error_code").asInt()).isEqualTo(50003);
                kafka.restart();
                List<Integer> acknowledged = new ArrayList<>(List.of(0));
                for (int n = 2; n < 7; n++) {
                    if (post(port, "/topics/0e0e0e.pin", RestProxy.V2_JSON, "{\"records\":[{\"value\":" + n
                            + "}]}").statusCode() == 200) {
                        acknowledged.add(n);
                    }
                }
                assertThat(acknowledged).as("acknowledged once the broker is back").contains(6);
                List<String> stored = values(kafka.read("0e0e0e.pin"));
                assertThat(stored).containsAll(acknowledged.stream().map(String::valueOf).toList());
            }
        } finally {
            kafka.close();
        }
    }

    /**
     * Requests with an Idempotency-Key: a retry gets the first answer and stores nothing; one after a 503 (the broker
     * down) gets the answer of the first request once its record is stored; concurrent duplicates are stored once.
     */
    @Test
    void aRetriedRequestWithAnIdempotencyKeyGetsTheFirstAnswerAndIsStoredOnce(EmbeddedKafka dlq) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            kafka.createTopic("4d4d4d.pin", 2);
            int port = freePort();
            kafka.createTopic("ingest-" + port + ".dlq", 1);
            try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port,
                    ", \"request.timeout\": \"2s\""), port)) {
                String one = "{\"records\":[{\"value\":{\"order\":1}},{\"value\":{\"order\":11}}]}";
                HttpResponse<String> first = postKeyed(port, "order-1", one);
                assertThat(first.statusCode()).isEqualTo(200);
                HttpResponse<String> again = postKeyed(port, "order-1", one);
                assertThat(again.statusCode()).isEqualTo(200);
                assertThat(again.body()).isEqualTo(first.body());
                assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
                HttpResponse<String> other = postKeyed(port, "order-1", "{\"records\":[{\"value\":{\"order\":2}}]}");
                assertThat(other.statusCode()).isEqualTo(422);
                assertThat(other.body()).contains("this key came with a different request");
                assertThat(postKeyed(port, "bad key", one).statusCode()).isEqualTo(422);

                List<CompletableFuture<HttpResponse<String>>> duplicates = new ArrayList<>();
                for (int n = 0; n < 6; n++) {
                    duplicates.add(CompletableFuture.supplyAsync(() -> postKeyed(port, "order-3",
                            "{\"records\":[{\"value\":{\"order\":3}}]}")));
                }
                List<String> bodies = duplicates.stream().map(CompletableFuture::join).map(r -> {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    return r.body();
                }).distinct().toList();
                assertThat(bodies).hasSize(1);

                kafka.stop();
                HttpResponse<String> late = postKeyed(port, "order-4", "{\"records\":[{\"value\":{\"order\":4}}]}");
                assertThat(late.statusCode()).isEqualTo(503);
                kafka.restart();
                HttpResponse<String> retried = null;
                for (int attempt = 0; attempt < 30 && (retried == null || retried.statusCode() != 200); attempt++) {
                    retried = postKeyed(port, "order-4", "{\"records\":[{\"value\":{\"order\":4}}]}");
                }
                assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);

                List<ConsumerRecord<byte[], byte[]>> stored = kafka.read("4d4d4d.pin");
                assertThat(values(stored)).containsExactlyInAnyOrder("{\"order\":1}", "{\"order\":11}",
                        "{\"order\":3}", "{\"order\":4}");
                JsonNode at = JSON.readTree(retried.body()).at("/offsets/0");
                assertThat(valueAt(stored, at)).isEqualTo("{\"order\":4}");
            }
        } finally {
            kafka.close();
        }
    }

    private static HttpResponse<String> postKeyed(int port, String key, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/topics/4d4d4d.pin"))
                .header("Content-Type", RestProxy.V2_JSON).header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void stoppingThePipelineAnswersEveryHeldRequest(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("0f0f0f.pin", 2);
        int port = freePort();
        kafka.createTopic("ingest-" + port + ".dlq", 1);
        RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port, ""), port);
        List<CompletableFuture<HttpResponse<String>>> answers = IntStream.range(0, 200)
                .mapToObj(n -> CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/topics/0f0f0f.pin")).header("Content-Type", RestProxy.V2_JSON)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"records\":[{\"value\":" + n + "}]}")).build(),
                        HttpResponse.BodyHandlers.ofString()))
                .toList();
        Wait.until(() -> answers.stream().filter(CompletableFuture::isDone).count() >= 20, Duration.ofSeconds(30),
                "some answers");
        running.close();

        List<String> ok = new ArrayList<>();
        int failed = 0;
        int refused = 0;
        for (int n = 0; n < answers.size(); n++) {
            HttpResponse<String> answer;
            try {
                answer = answers.get(n).get(10, TimeUnit.SECONDS); // every held request is answered
            } catch (ExecutionException e) {
                // only a refused connection was never held; a request read and then dropped unanswered fails here
                assertThat(e.getCause()).as("request %d failed otherwise than refused at connect", n)
                        .isInstanceOf(ConnectException.class);
                refused++;
                continue;
            }
            failed += answer.statusCode() == 503 ? 1 : 0;
            assertThat(answer.statusCode()).as(answer.body()).isIn(200, 503);
            if (answer.statusCode() == 200) {
                ok.add(String.valueOf(n));
            }
        }
        System.out.printf("http source stop: 200 requests, %d stored (200), %d not stored (503), %d not "
                + "connected%n", ok.size(), failed, refused);
        assertThat(values(kafka.read("0f0f0f.pin"))).containsAll(ok);
        assertThat(ok).hasSizeGreaterThanOrEqualTo(20);
    }

    @Test
    void overTlsWithBasicAuthAPostIsStored(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        kafka.createTopic("0d0d0d.pin", 1);
        int port = freePort();
        kafka.createTopic("ingest-" + port + ".dlq", 1);
        Path keystore = dir.resolve("ingest.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "ksf", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-ext", "SAN=ip:127.0.0.1").redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        // the client trusts the server's certificate
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            server.load(in, "changeit".toCharArray());
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ksf", server.getCertificate("ksf"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).build();

        try (RunningPipeline running = start(pipeline(kafka.bootstrapServers(), port, """
                , "tls.keystore.location": "%s", "tls.keystore.password": "changeit",
                "auth": "basic", "auth.username": "pinterest", "auth.password": "pa55"
                """.formatted(keystore.toString().replace("\\", "\\\\"))), port)) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                            + "/topics/0d0d0d.pin")).header("Content-Type", RestProxy.V2_JSON)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"records\":[{\"value\":{\"tls\":true}}]}"));
            HttpResponse<String> anonymous = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"ksf\"");
            String credentials = Base64.getEncoder().encodeToString("pinterest:pa55".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> stored = client.send(request.header("Authorization", "Basic " + credentials).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
            assertThat(values(kafka.read("0d0d0d.pin"))).containsExactly("{\"tls\":true}");
            // plain HTTP on the TLS port stores nothing
            int plain;
            try {
                plain = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/topics/0d0d0d.pin")).header("Content-Type", RestProxy.V2_JSON)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"records\":[{\"value\":1}]}")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (IOException e) {
                plain = -1;
            }
            assertThat(plain).isNotEqualTo(200);
            assertThat(values(kafka.read("0d0d0d.pin"))).hasSize(1);
        }
    }
}
