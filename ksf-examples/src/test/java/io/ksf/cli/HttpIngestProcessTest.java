package io.ksf.cli;

import io.ksf.contract.Wait;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ksf run} with the http source as a child process, stopped by SIGTERM or killed by SIGKILL while 8 clients
 * keep posting one record per request, each on a new connection (as seed 004's client does). A request's outcome
 * is read off the socket: refused at connect, an answer, or a connection closed without one; on SIGTERM the
 * server's own count of the requests it took must equal the answers the clients got.
 */
@ExtendWith(KafkaBroker.class)
class HttpIngestProcessTest {
    private static final String TOPIC_PREFIX = "ab12";
    private static final Pattern TAKEN = Pattern.compile("http source: stopped after taking (\\d+) requests");

    @TempDir
    Path dir;

    /** What became of one request. */
    enum Outcome { OK, NOT_STORED, OTHER_STATUS, REFUSED_AT_CONNECT, CLOSED_UNANSWERED }

    /** A posted record's value and what became of its request. */
    private record Sent(int value, Outcome outcome, String detail) {
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync", "async"})
    void sigtermAnswersEveryRequestItTookAndEvery200IsInTheTopic(String mode, EmbeddedKafka kafka) throws Exception {
        String topic = TOPIC_PREFIX + ".term-" + mode;
        kafka.createTopic(topic, 3);
        int port = freePort();
        Path config = config(kafka, topic, port, mode);
        Path log = dir.resolve("ksf.log");
        Process ksf = KsfProcess.run(config, log);
        List<Sent> sent = postUntilStopped(ksf, port, topic, log, false);
        assertThat(ksf.exitValue()).as(Files.readString(log)).isZero();

        Map<Outcome, Integer> outcomes = outcomes(sent);
        List<String> stored = values(kafka.read(topic));
        long missing = missing(stored, values(sent, Outcome.OK));
        // the server says how many requests reached it; a connection it closed before reading one is not among them
        Matcher taken = TAKEN.matcher(Files.readString(log));
        assertThat(taken.find()).as("the server's count of requests taken, in its log").isTrue();
        int takenByServer = Integer.parseInt(taken.group(1));
        System.out.printf("http ingest SIGTERM: mode %s, %,d requests, %,d answered 200, %,d answered 503, %,d "
                        + "refused at connect, %,d closed unanswered; %,d taken by the server; %,d records in the "
                        + "topic, %d 200s missing%n", mode, sent.size(), outcomes.get(Outcome.OK),
                outcomes.get(Outcome.NOT_STORED), outcomes.get(Outcome.REFUSED_AT_CONNECT),
                outcomes.get(Outcome.CLOSED_UNANSWERED), takenByServer, new HashSet<>(stored).size(), missing);
        assertThat(outcomes.get(Outcome.OTHER_STATUS)).as("answers other than 200 and 503").isZero();
        assertThat(takenByServer).as("requests the server took, each answered 200 or 503")
                .isEqualTo(outcomes.get(Outcome.OK) + outcomes.get(Outcome.NOT_STORED));
        assertThat(missing).as("records answered 200 missing from the topic").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync", "async"})
    void afterSigkillEvery200IsInTheTopicAndRetryingTheRestStoresEveryRecord(String mode, EmbeddedKafka kafka)
            throws Exception {
        String topic = TOPIC_PREFIX + ".kill-" + mode;
        kafka.createTopic(topic, 3);
        int port = freePort();
        Path config = config(kafka, topic, port, mode);
        Path log = dir.resolve("ksf.log");
        // whatever was held and not yet stored at the kill is lost, and was never answered 200
        List<Sent> sent = postUntilStopped(KsfProcess.run(config, log), port, topic, log, true);
        Map<Outcome, Integer> outcomes = outcomes(sent);
        long missing = missing(values(kafka.read(topic)), values(sent, Outcome.OK));
        assertThat(sent).extracting(Sent::outcome).doesNotContain(Outcome.OTHER_STATUS);

        // a client retries every request that got no 200, on a new run, until each is answered 200
        List<Sent> retried = new ArrayList<>();
        Process again = KsfProcess.run(config, log);
        try {
            awaitListening(again, port, log);
            for (Sent request : sent) {
                if (request.outcome() != Outcome.OK) {
                    Sent answer = post(port, topic, request.value());
                    for (int attempt = 0; answer.outcome() != Outcome.OK && attempt < 20; attempt++) {
                        TimeUnit.MILLISECONDS.sleep(200);
                        answer = post(port, topic, request.value());
                    }
                    assertThat(answer.outcome()).as(answer.detail()).isEqualTo(Outcome.OK);
                    retried.add(answer);
                }
            }
            again.destroy();
            assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            again.destroyForcibly();
        }
        long lost = missing(values(kafka.read(topic)), sent.stream().map(s -> Integer.toString(s.value())).toList());
        System.out.printf("http ingest SIGKILL: mode %s, %,d requests, %,d answered 200, %,d answered 503, %,d "
                        + "refused at connect, %,d closed unanswered; %d 200s missing from the topic; %,d retried, "
                        + "%d records lost after the retries%n",
                mode, sent.size(), outcomes.get(Outcome.OK), outcomes.get(Outcome.NOT_STORED),
                outcomes.get(Outcome.REFUSED_AT_CONNECT), outcomes.get(Outcome.CLOSED_UNANSWERED), missing,
                retried.size(), lost);
        assertThat(missing).as("records answered 200 missing from the topic").isZero();
        assertThat(lost).as("records missing after a client retried what got no 200").isZero();
    }

    /**
     * Requests with an Idempotency-Key into the kafka target with exactly.once and idempotency.topic, the instance
     * killed with SIGKILL mid-stream: a new run reads the answers back, and a client that sends every request again
     * (the answered ones too) gets the first answers and finds each record in the topic once.
     */
    @Test
    void idempotentRequestsRetriedAfterSigkillAreStoredOnce(EmbeddedKafka kafka) throws Exception {
        String topic = TOPIC_PREFIX + ".keyed";
        kafka.createTopic(topic, 3);
        kafka.createTopic(topic + ".keys", 1, Map.of("cleanup.policy", "compact"));
        int port = freePort();
        Path config = Files.writeString(dir.resolve("keyed.json"), """
                {"name": "ingest",
                 "source": {"type": "http", "host": "127.0.0.1", "port": %d, "topics": ["%s"],
                            "idempotency.topic": "%2$s.keys"},
                 "target": {"type": "kafka", "topic": "${topic}", "exactly.once": true,
                            "properties": {"bootstrap.servers": "%s"}},
                 "pipeline": {"flush.interval": "100ms"}}
                """.formatted(port, topic, kafka.bootstrapServers()));
        Path log = dir.resolve("ksf.log");
        int requests = 400;
        Map<Integer, String> firstAnswers = new java.util.concurrent.ConcurrentHashMap<>();
        Process ksf = KsfProcess.run(config, log);
        try {
            awaitListening(ksf, port, log);
            AtomicBoolean posting = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                Thread thread = new Thread(() -> {
                    for (int n = client; n < requests && posting.get(); n += 4) {
                        String answer = postKeyed(port, topic, n);
                        if (answer != null) {
                            firstAnswers.put(n, answer);
                        }
                    }
                }, "client-" + c);
                thread.start();
                clients.add(thread);
            }
            Wait.until(() -> firstAnswers.size() >= 150, Duration.ofSeconds(60), "150 requests answered 200");
            ksf.destroyForcibly(); // SIGKILL
            assertThat(ksf.waitFor(30, TimeUnit.SECONDS)).isTrue();
            posting.set(false);
            for (Thread thread : clients) {
                thread.join(60_000);
            }
        } finally {
            ksf.destroyForcibly();
        }
        int answeredBeforeKill = firstAnswers.size();
        Process again = KsfProcess.run(config, log);
        int replayedSame = 0;
        try {
            awaitListening(again, port, log);
            for (int n = 0; n < requests; n++) {
                String answer = null;
                for (int attempt = 0; answer == null && attempt < 20; attempt++) {
                    if (attempt > 0) {
                        TimeUnit.MILLISECONDS.sleep(200);
                    }
                    answer = postKeyed(port, topic, n);
                }
                assertThat(answer).as("request %d answered 200", n).isNotNull();
                String first = firstAnswers.get(n);
                if (first != null) {
                    assertThat(answer).as("the answer of request %d after the restart", n).isEqualTo(first);
                    replayedSame++;
                }
            }
            again.destroy();
            assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            again.destroyForcibly();
        }
        List<String> stored = kafka.readCommitted(topic).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        long distinct = new HashSet<>(stored).size();
        System.out.printf("http ingest idempotent after SIGKILL (exactly once, idempotency.topic): %,d requests, %,d "
                        + "answered 200 before the kill, all sent again after it: %,d got the first answer again; "
                        + "%,d records in the topic, %d missing, %d duplicated%n", requests, answeredBeforeKill,
                replayedSame, stored.size(), requests - distinct, stored.size() - distinct);
        assertThat(new HashSet<>(stored)).isEqualTo(new HashSet<>(java.util.stream.IntStream.range(0, requests)
                .mapToObj(Integer::toString).toList()));
        assertThat(stored).hasSize(requests);
    }

    /** A keyed request (key {@code order-N}, record N) on a new connection: the body of a 200 answer, else null. */
    private static String postKeyed(int port, String topic, int value) {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/topics/"
                                    + topic)).header("Content-Type", "application/vnd.kafka.json.v2+json")
                            .header("Idempotency-Key", "order-" + value).timeout(Duration.ofSeconds(30))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"records\":[{\"value\":"
                                    + value + "}]}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null; // refused, or cut off by the kill
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Two instances behind one balancer (round robin; a refused connection goes to the other instance): every 200 is
     * in the topic whichever instance answered it, also after one of them is killed mid-stream.
     */
    @Test
    void twoInstancesBehindOneBalancerEvery200IsInTheTopicWhicheverAnswered(EmbeddedKafka kafka) throws Exception {
        String topic = TOPIC_PREFIX + ".balanced";
        kafka.createTopic(topic, 3);
        int[] ports = {freePort(), freePort()};
        Path log = dir.resolve("ksf.log");
        Process first = KsfProcess.run(Files.writeString(dir.resolve("a.json"),
                Files.readString(config(kafka, topic, ports[0], "sync"))), dir.resolve("a.log"));
        Process second = KsfProcess.run(Files.writeString(dir.resolve("b.json"),
                Files.readString(config(kafka, topic, ports[1], "async")).replace("\"topics\"",
                        "\"partition\": 1, \"topics\"")), log);
        List<Sent> sent = new ArrayList<>();
        int[] answeredBy = new int[2];
        try {
            awaitListening(first, ports[0], dir.resolve("a.log"));
            awaitListening(second, ports[1], log);
            AtomicBoolean posting = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int from = c * 1_000_000;
                Thread client = new Thread(() -> {
                    for (int n = from; posting.get(); n++) {
                        int at = n % 2;
                        Sent answer = post(ports[at], topic, n);
                        if (answer.outcome() == Outcome.REFUSED_AT_CONNECT) { // the balancer's other instance
                            at = 1 - at;
                            answer = post(ports[at], topic, n);
                        }
                        synchronized (sent) {
                            sent.add(answer);
                            answeredBy[at] += answer.outcome() == Outcome.OK ? 1 : 0;
                        }
                        if (answer.outcome() == Outcome.REFUSED_AT_CONNECT) {
                            return;
                        }
                    }
                }, "client-" + c);
                client.start();
                clients.add(client);
            }
            Wait.until(() -> count(sent, Outcome.OK) >= 400, Duration.ofSeconds(60), "400 records acknowledged");
            first.destroyForcibly(); // SIGKILL: what it held unanswered is lost, and was never answered 200
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            int before = count(sent, Outcome.OK);
            Wait.until(() -> count(sent, Outcome.OK) >= before + 400, Duration.ofSeconds(60),
                    "400 more acknowledged by the other instance");
            second.destroy();
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            posting.set(false);
            for (Thread client : clients) {
                client.join(60_000);
            }
        } finally {
            first.destroyForcibly();
            second.destroyForcibly();
        }
        long missing = missing(values(kafka.read(topic)), values(sent, Outcome.OK));
        System.out.printf("http ingest behind a balancer: 2 instances (sync, async), one killed; %,d requests, %,d "
                        + "answered 200 (%,d by the killed one, %,d by the other), %d 200s missing from the topic%n",
                sent.size(), count(sent, Outcome.OK), answeredBy[0], answeredBy[1], missing);
        assertThat(answeredBy[0]).isPositive();
        assertThat(answeredBy[1]).isPositive();
        assertThat(missing).as("records answered 200 missing from the topic").isZero();
    }

    /**
     * Clients post until 500 records are acknowledged, then the process is stopped (SIGTERM) or killed (SIGKILL);
     * the clients go on until their connections are refused. What became of every request.
     */
    private static List<Sent> postUntilStopped(Process ksf, int port, String topic, Path log, boolean kill)
            throws Exception {
        List<Sent> sent = new ArrayList<>();
        try (Clients clients = new Clients(port, topic, sent)) {
            awaitListening(ksf, port, log);
            clients.start();
            Wait.until(() -> count(sent, Outcome.OK) >= 500, Duration.ofSeconds(60), "500 records acknowledged");
            if (kill) {
                ksf.destroyForcibly();
            } else {
                ksf.destroy();
            }
            assertThat(ksf.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            ksf.destroyForcibly();
        }
        return sent;
    }

    private Path config(EmbeddedKafka kafka, String topic, int port, String mode) throws IOException {
        return Files.writeString(dir.resolve("ingest.json"), """
                {"name": "ingest",
                 "source": {"type": "http", "host": "127.0.0.1", "port": %d, "topics": ["%s"]},
                 "target": {"type": "kafka", "topic": "${topic}", "properties": {"bootstrap.servers": "%s"}},
                 "pipeline": {"mode": "%s"}}
                """.formatted(port, topic, kafka.bootstrapServers(), mode));
    }

    /** 8 clients, each posting one record after another on a new connection until closed. */
    private static final class Clients implements AutoCloseable {
        private final int port;
        private final String topic;
        private final List<Sent> sent;
        private final AtomicBoolean posting = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Clients(int port, String topic, List<Sent> sent) {
            this.port = port;
            this.topic = topic;
            this.sent = sent;
        }

        void start() {
            for (int c = 0; c < 8; c++) {
                int first = c * 1_000_000;
                Thread thread = new Thread(() -> {
                    // the clients go on until the server refuses connections (it is gone), or the test ends
                    for (int n = first; posting.get(); n++) {
                        Sent answer = post(port, topic, n);
                        synchronized (sent) {
                            sent.add(answer);
                        }
                        if (answer.outcome() == Outcome.REFUSED_AT_CONNECT) {
                            return;
                        }
                    }
                }, "client-" + c);
                thread.start();
                threads.add(thread);
            }
        }

        @Override
        public void close() throws InterruptedException {
            for (Thread thread : threads) {
                thread.join(60_000); // each stops at its first refused connection
            }
            posting.set(false);
            for (Thread thread : threads) {
                thread.join(60_000);
            }
        }
    }

    /** One REST Proxy v2 produce request on a new connection, and what became of it. */
    static Sent post(int port, String topic, int value) {
        byte[] body = ("{\"records\":[{\"value\":" + value + "}]}").getBytes(StandardCharsets.UTF_8);
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        } catch (ConnectException e) {
            close(socket);
            return new Sent(value, Outcome.REFUSED_AT_CONNECT, e.toString());
        } catch (IOException e) {
            close(socket);
            return new Sent(value, Outcome.CLOSED_UNANSWERED, "connect: " + e);
        }
        try (socket) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /topics/" + topic + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "Content-Type: application/vnd.kafka.json.v2+json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = statusLine(socket.getInputStream());
            if (status.isEmpty()) {
                return new Sent(value, Outcome.CLOSED_UNANSWERED, "closed before any answer");
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            Outcome outcome = code == 200 ? Outcome.OK : code == 503 ? Outcome.NOT_STORED : Outcome.OTHER_STATUS;
            return new Sent(value, outcome, status);
        } catch (IOException e) {
            return new Sent(value, Outcome.CLOSED_UNANSWERED, e.toString());
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).trim();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing was opened
        }
    }

    private static void awaitListening(Process ksf, int port, Path log) throws Exception {
        Wait.until(() -> listening(port) || !ksf.isAlive(), Duration.ofSeconds(60), "the http source listening");
        assertThat(ksf.isAlive()).as(Files.readString(log)).isTrue();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    private static int count(List<Sent> sent, Outcome outcome) {
        synchronized (sent) {
            return (int) sent.stream().filter(s -> s.outcome() == outcome).count();
        }
    }

    private static Map<Outcome, Integer> outcomes(List<Sent> sent) {
        Map<Outcome, Integer> counts = new TreeMap<>();
        for (Outcome outcome : Outcome.values()) {
            counts.put(outcome, count(sent, outcome));
        }
        return counts;
    }

    /** How many of these values are not among those stored. */
    private static long missing(List<String> stored, List<String> values) {
        Set<String> present = new HashSet<>(stored);
        return values.stream().filter(value -> !present.contains(value)).count();
    }

    private static List<String> values(List<Sent> sent, Outcome outcome) {
        synchronized (sent) {
            return sent.stream().filter(s -> s.outcome() == outcome).map(s -> Integer.toString(s.value())).toList();
        }
    }

    private static List<String> values(List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}
