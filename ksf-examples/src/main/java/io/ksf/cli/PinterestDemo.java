package io.ksf.cli;

import io.ksf.config.ConfigLoader;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.PipelineStats;
import io.ksf.pipeline.Registry;
import io.ksf.s3.S3Clients;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Seed 004 with nothing installed: an embedded broker and S3 server; a generator posts pin, geo and user records as
 * the seed's Python client does (one record per request, a new connection each time); pipeline 1 is http -> kafka
 * (three topics), pipeline 2 is the topics' pattern -> S3, one object per record.
 */
final class PinterestDemo {
    static final String USER = "12e0d5e1f0b4";
    static final List<String> TABLES = List.of("pin", "geo", "user");
    private static final String BUCKET = "user-" + USER + "-bucket";

    private PinterestDemo() {
    }

    static int run(PrintWriter console, int rows) throws Exception {
        console.println("starting an embedded Kafka broker and S3 server ...");
        console.flush();
        EmbeddedS3.useAsDefaultCredentials();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedS3 s3 = EmbeddedS3.start();
             S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            client.createBucket(b -> b.bucket(BUCKET));
            TABLES.forEach(table -> kafka.createTopic(USER + "." + table, 1));
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Pipeline ingest = pipeline("""
                    {"name": "pinterest-ingest",
                     "source": {"type": "http", "host": "127.0.0.1", "port": %d, "topics.regex": "%s\\\\..*"},
                     "target": {"type": "kafka", "topic": "${topic}", "properties": {"bootstrap.servers": "%s"}}}
                    """.formatted(port, USER, kafka.bootstrapServers()));
            Pipeline archive = pipeline("""
                    {"name": "pinterest-topics-to-s3",
                     "source": {"type": "kafka", "format": "json", "topics.regex": "%1$s\\\\..*",
                                "properties": {"bootstrap.servers": "%2$s", "group.id": "pinterest-s3-sink",
                                               "metadata.max.age.ms": "1000"}},
                     "target": {"type": "s3", "bucket": "%3$s", "prefix": "topics/", "flush.records": 1,
                                "endpoint": "%4$s", "path.style": true, "region": "%5$s"},
                     "pipeline": {"flush.records": 100, "flush.interval": "200ms"}}
                    """.formatted(USER, kafka.bootstrapServers(), BUCKET, s3.endpoint(), EmbeddedS3.REGION));
            CompletableFuture<PipelineStats> ingesting = CompletableFuture.supplyAsync(ingest::run);
            CompletableFuture<PipelineStats> archiving = CompletableFuture.supplyAsync(archive::run);
            awaitListening(port, ingesting);

            console.printf("posting %,d rows of each table to http://127.0.0.1:%d/topics/%s.<table>, one record per "
                    + "request, a new connection each time%n", rows, port, USER);
            console.flush();
            long started = System.nanoTime();
            Map<Integer, Integer> statuses = new LinkedHashMap<>();
            for (int n = 0; n < rows; n++) {
                for (String table : TABLES) {
                    statuses.merge(post(port, "/topics/" + USER + "." + table, payload(table, n)), 1, Integer::sum);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long expected = (long) rows * TABLES.size();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (objects(client).size() < expected && System.nanoTime() < deadline && !archiving.isDone()) {
                Thread.sleep(100);
            }
            List<S3Object> objects = objects(client);
            ingest.close();
            archive.close();
            ingesting.join();
            archiving.join();

            console.println();
            console.println("KSF demo: HTTP posts (REST Proxy v2) -> Kafka topics -> S3 objects (embedded servers)");
            console.printf("  requests          %,d in %.2f s (%,.0f/s), answers %s%n", expected, seconds,
                    expected / seconds, statuses);
            long inTopics = 0;
            for (String table : TABLES) {
                String topic = USER + "." + table;
                long records = kafka.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
                long stored = objects.stream().filter(o -> o.key().startsWith("topics/" + topic + "/")).count();
                inTopics += records;
                console.printf("  %-20s %,d records in the topic, %,d objects in s3://%s/topics/%s/%n", topic,
                        records, stored, BUCKET, topic);
            }
            console.flush();
            boolean ok = statuses.getOrDefault(200, 0) == expected && inTopics == expected
                    && objects.size() == expected;
            return ok ? KsfCommand.OK : KsfCommand.FAILED;
        }
    }

    private static Pipeline pipeline(String config) {
        return PipelinePlan.resolve(ConfigLoader.create().parse(config), Registry.load())
                .build(new SimpleMeterRegistry());
    }

    private static void awaitListening(int port, CompletableFuture<?> running) throws InterruptedException {
        for (int tries = 0; tries < 600 && !running.isDone(); tries++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        running.join(); // it stopped: its failure says why
    }

    private static List<S3Object> objects(S3Client client) {
        return client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("topics/")).contents().stream()
                .toList();
    }

    /** A row as the seed's emulation reads it from its tables, dates as strings (json.dumps default=str). */
    static String payload(String table, int n) {
        String value = switch (table) {
            case "pin" -> "{\"index\": " + n + ", \"unique_id\": \"" + UUID.nameUUIDFromBytes(
                    Integer.toString(n).getBytes(StandardCharsets.UTF_8)) + "\", \"title\": \"Pin " + n
                    + "\", \"follower_count\": \"" + (n * 37 % 1000) + "k\", \"category\": \"diy-and-crafts\"}";
            case "geo" -> "{\"ind\": " + n + ", \"timestamp\": \"2020-0" + (1 + n % 9) + "-1" + n % 10
                    + " 08:4" + n % 10 + ":09\", \"latitude\": " + (n % 180 - 90) + ".5, \"longitude\": "
                    + (n % 360 - 180) + ".25, \"country\": \"Maldives\"}";
            default -> "{\"ind\": " + n + ", \"first_name\": \"Alexandria\", \"last_name\": \"Alvarado\", \"age\": "
                    + (18 + n % 60) + ", \"date_joined\": \"2015-10-31 11:13:49\"}";
        };
        return "{\"records\": [{\"value\": " + value + "}]}";
    }

    /** One POST on a new connection, with the headers the Python requests library sends; the status. */
    static int post(int port, String path, String payload) throws IOException {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUser-Agent: python-requests/2.32.3\r\nAccept-Encoding: gzip, deflate\r\nAccept: */*\r\n"
                + "Connection: keep-alive\r\nContent-Type: application/vnd.kafka.json.v2+json\r\nContent-Length: "
                + body.length + "\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            for (int b; (b = in.read()) >= 0 && !response.toString(StandardCharsets.US_ASCII).contains("\r\n"); ) {
                response.write(b);
            }
            String statusLine = response.toString(StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }
}
