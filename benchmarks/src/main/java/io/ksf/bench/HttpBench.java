package io.ksf.bench;

import io.ksf.config.ConfigLoader;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.PipelineStats;
import io.ksf.pipeline.Registry;
import io.ksf.testkit.EmbeddedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * REST-Proxy-style produce requests into Kafka, in one run: KSF's {@code http} source -> {@code kafka} target
 * (every answer after the records are durable), against a bare Jetty handler that reads the body and answers at
 * once without Kafka (the HTTP limit), and a bare KafkaProducer sending the same records (the Kafka limit). The load
 * client keeps {@code --connections} keep-alive connections on loopback, each sending its next request when the
 * answer to the last arrived; 1-record and 100-record requests. KSF also with an Idempotency-Key on every request,
 * kept in memory, and kept in the kafka target's exactly-once transactions ({@code idempotency.topic}).
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar io.ksf.bench.HttpBench [--seconds 10] [--connections 32]
 * </pre>
 */
public final class HttpBench {
    private static final String TOPIC = "bench.pin";
    private static final String ROW = "{\"index\": 7528, \"unique_id\": \"fbe53c66-3442-4773-b19e-d3ec6f19e7ab\", "
            + "\"title\": \"No Title Data Available\", \"description\": \"No description available Story format\", "
            + "\"follower_count\": \"0\", \"downloaded\": 0, \"save_location\": \"Local save in /data/mens-fashion\", "
            + "\"category\": \"mens-fashion\"}";

    private record Row(String name, int recordsPerRequest, long requests, double seconds, long p50Micros,
                       long p99Micros) {
        double requestsPerSecond() {
            return requests / seconds;
        }
    }

    /** Idempotency-Keys: one per request, never twice in a run. */
    private static final AtomicLong KEYS = new AtomicLong();
    private final List<Row> rows = new ArrayList<>();
    /** The http source's flush.interval, or null for its default. */
    private String flushInterval;

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = Harness.flags(args, Set.of());
        double seconds = Double.parseDouble(flags.getOrDefault("--seconds", "10"));
        int connections = Integer.parseInt(flags.getOrDefault("--connections", "32"));
        HttpBench bench = new HttpBench();
        bench.flushInterval = flags.get("--flush-interval");
        String table = bench.run(seconds, connections);
        Harness.finish(table, flags, "benchmarks/target/http-results.md");
    }

    private String run(double seconds, int connections) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic(TOPIC, 3);
            kafka.createTopic(TOPIC + ".keys", 1, Map.of("cleanup.policy", "compact"));
            for (int perRequest : new int[] {1, 100}) {
                byte[] body = body(perRequest);
                rows.add(bareJetty(body, perRequest, seconds, connections));
                rows.add(bareProducer(kafka, perRequest, seconds));
                rows.add(ksf(kafka, body, perRequest, seconds, connections, Variant.PLAIN));
                rows.add(ksf(kafka, body, perRequest, seconds, connections, Variant.KEYED));
                rows.add(ksf(kafka, body, perRequest, seconds, connections, Variant.KEYED_EXACTLY_ONCE));
            }
        }
        return table(seconds, connections);
    }

    private static byte[] body(int records) {
        StringBuilder body = new StringBuilder("{\"records\": [");
        for (int i = 0; i < records; i++) {
            body.append(i == 0 ? "" : ", ").append("{\"value\": ").append(ROW).append('}');
        }
        return body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The HTTP limit: Jetty's core handler reads the body and answers REST Proxy's offsets without storing. */
    private Row bareJetty(byte[] body, int perRequest, double seconds, int connections) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        AtomicLong offset = new AtomicLong();
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Source.asByteArrayAsync(request, 10 << 20).whenComplete((bytes, failure) -> {
                    String answer = "{\"offsets\":[{\"partition\":0,\"offset\":" + offset.getAndAdd(perRequest)
                            + ",\"error_code\":null,\"error\":null}],\"key_schema_id\":null,\"value_schema_id\":null}";
                    response.setStatus(200);
                    response.getHeaders().put("Content-Type", "application/vnd.kafka.v2+json");
                    response.write(true, ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), callback);
                });
                return true;
            }
        });
        server.start();
        try {
            return load("bare Jetty handler (no Kafka)", connector.getLocalPort(), body, perRequest, seconds,
                    connections, false);
        } finally {
            server.stop();
        }
    }

    /** The Kafka limit: the same records sent by one KafkaProducer (acks=all, idempotent) as fast as it takes them. */
    private Row bareProducer(EmbeddedKafka kafka, int perRequest, double seconds) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("linger.ms", "5");
        props.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        byte[] value = ROW.replace(" ", "").getBytes(StandardCharsets.UTF_8);
        long records = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            while (System.nanoTime() < end) {
                for (int i = 0; i < 1000; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, value));
                }
                records += 1000;
            }
            producer.flush();
        }
        double took = (System.nanoTime() - start) / 1e9;
        return new Row("bare KafkaProducer (no HTTP)", perRequest, records / perRequest, took, -1, -1);
    }

    /** How KSF takes the requests: plain; each with its own Idempotency-Key; and those with exactly-once. */
    private enum Variant {
        PLAIN("KSF http source -> kafka target"),
        KEYED("KSF, each request with an Idempotency-Key"),
        KEYED_EXACTLY_ONCE("KSF, Idempotency-Key, exactly.once with idempotency.topic");

        final String row;

        Variant(String row) {
            this.row = row;
        }
    }

    private Row ksf(EmbeddedKafka kafka, byte[] body, int perRequest, double seconds, int connections,
                    Variant variant) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String config = """
                {"name": "http-bench-%d",
                 "source": {"type": "http", "host": "127.0.0.1", "port": %d, "topics": ["%s"]%s%s},
                 "target": {"type": "kafka", "topic": "${topic}", "exactly.once": %s,
                            "properties": {"bootstrap.servers": "%s"}}}
                """.formatted(perRequest, port, TOPIC, flushInterval == null ? ""
                : ", \"flush.interval\": \"" + flushInterval + "\"", variant == Variant.KEYED_EXACTLY_ONCE
                ? ", \"idempotency.topic\": \"" + TOPIC + ".keys\"" : "", variant == Variant.KEYED_EXACTLY_ONCE,
                kafka.bootstrapServers());
        Pipeline pipeline = PipelinePlan.resolve(ConfigLoader.create().parse(config), Registry.load())
                .build(new SimpleMeterRegistry());
        CompletableFuture<PipelineStats> running = CompletableFuture.supplyAsync(pipeline::run);
        for (int tries = 0; ; tries++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException e) {
                if (tries > 600 || running.isDone()) {
                    running.join();
                    throw e;
                }
                Thread.sleep(50);
            }
        }
        try {
            return load(variant.row, port, body, perRequest, seconds, connections, variant != Variant.PLAIN);
        } finally {
            pipeline.close();
            running.join();
        }
    }

    /**
     * {@code connections} keep-alive connections, each posting its next request once the last was answered;
     * {@code keyed}: each request with an Idempotency-Key of its own.
     */
    private static Row load(String name, int port, byte[] body, int perRequest, double seconds, int connections,
                            boolean keyed) throws Exception {
        IntFunction<byte[]> requests = n -> {
            byte[] head = ("POST /topics/" + TOPIC + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: application/vnd.kafka.json.v2+json\r\nContent-Length: " + body.length
                    + (keyed ? "\r\nIdempotency-Key: request-" + KEYS.incrementAndGet() : "")
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] whole = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, whole, head.length, body.length);
            return whole;
        };
        // warm up, then measure
        runClients(port, requests, connections, 2.0);
        long start = System.nanoTime();
        List<long[]> latencies = runClients(port, requests, connections, seconds);
        double took = (System.nanoTime() - start) / 1e9;
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).filter(l -> l > 0).sorted().toArray();
        return new Row(name, perRequest, all.length, took, all[all.length / 2] / 1000,
                all[(int) (all.length * 0.99)] / 1000);
    }

    private static List<long[]> runClients(int port, IntFunction<byte[]> requests, int connections, double seconds)
            throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<long[]> latencies = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(connections);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            long[] mine = new long[300_000];
            latencies.add(mine);
            Thread thread = new Thread(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    for (int n = 0; n < mine.length && System.nanoTime() < end; n++) {
                        byte[] request = requests.apply(n);
                        long sent = System.nanoTime();
                        out.write(request);
                        out.flush();
                        int status = readResponse(in);
                        if (status != 200) {
                            throw new IllegalStateException("answer " + status);
                        }
                        mine[n] = System.nanoTime() - sent;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    done.countDown();
                }
            }, "load-" + c);
            thread.start();
            threads.add(thread);
        }
        done.await();
        for (Thread thread : threads) {
            thread.join();
        }
        return latencies;
    }

    /** Reads one HTTP/1.1 response with a Content-Length; returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) { // the blank line after the headers
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            head.write(b);
            last4 = last4 << 8 | b;
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(text.substring(9, 12));
    }

    private String table(double seconds, int connections) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "HTTP ingest into Kafka: %d keep-alive connections on loopback, %.0f s "
                + "per row after 2 s of warm-up, REST Proxy v2 JSON bodies of %d-byte rows%n%n", connections, seconds,
                ROW.length()));
        table.append("| requests of | variant | requests/s | records/s | p50 ms | p99 ms | KSF vs this |\n");
        table.append("|---|---|---|---|---|---|---|\n");
        for (int perRequest : new int[] {1, 100}) {
            Row ksf = rows.stream().filter(r -> r.recordsPerRequest() == perRequest && r.name().startsWith("KSF"))
                    .findFirst().orElseThrow();
            for (Row row : rows) {
                if (row.recordsPerRequest() != perRequest) {
                    continue;
                }
                table.append(String.format(Locale.ROOT, "| %d record%s | %s | %,.0f | %,.0f | %s | %s | %s |%n",
                        perRequest, perRequest == 1 ? "" : "s", row.name(), row.requestsPerSecond(),
                        row.requestsPerSecond() * perRequest, row.p50Micros() < 0 ? "-" : String.format(Locale.ROOT,
                                "%.1f", row.p50Micros() / 1000.0), row.p99Micros() < 0 ? "-"
                                : String.format(Locale.ROOT, "%.1f", row.p99Micros() / 1000.0),
                        row == ksf ? "" : row.name().startsWith("KSF") ? String.format(Locale.ROOT,
                                "%.2f of plain KSF", row.requestsPerSecond() / ksf.requestsPerSecond())
                                : String.format(Locale.ROOT, "%.2f", ksf.requestsPerSecond() / row.requestsPerSecond())));
            }
        }
        return table.toString();
    }
}
