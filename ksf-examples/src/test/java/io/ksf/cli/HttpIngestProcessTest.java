package io.ksf.cli;

import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ksf run} with the http source as a child process, stopped by SIGTERM while clients keep posting. */
@ExtendWith(KafkaBroker.class)
class HttpIngestProcessTest {
    @TempDir
    Path dir;

    /** A posted record's value and its answer. */
    private record Sent(int value, CompletableFuture<HttpResponse<String>> answer) {
    }

    @Test
    void sigtermAnswersEveryRequestItTookAndEvery200IsInTheTopic(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("ab12.pin", 3);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("ingest.json"), """
                {"name": "ingest",
                 "source": {"type": "http", "host": "127.0.0.1", "port": %d, "topics": ["ab12.pin"]},
                 "target": {"type": "kafka", "topic": "${topic}", "properties": {"bootstrap.servers": "%s"}}}
                """.formatted(port, kafka.bootstrapServers()));
        Path log = dir.resolve("ksf.log");
        Process ksf = KsfProcess.run(config, log);
        HttpClient client = HttpClient.newHttpClient();
        List<Sent> answers = new ArrayList<>();
        AtomicBoolean posting = new AtomicBoolean(true);
        try {
            Wait.until(() -> listening(port) || !ksf.isAlive(), Duration.ofSeconds(60), "the http source listening");
            assertThat(ksf.isAlive()).as(Files.readString(log)).isTrue();
            // 8 clients post one record after another until the process is gone
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int first = c * 1_000_000;
                Thread thread = new Thread(() -> {
                    for (int n = first; posting.get(); n++) {
                        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/topics/ab12.pin"))
                                .header("Content-Type", "application/vnd.kafka.json.v2+json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"records\":[{\"value\":" + n + "}]}"))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        synchronized (answers) {
                            answers.add(new Sent(n, answer));
                        }
                        answer.handle((r, e) -> null).join();
                    }
                });
                thread.start();
                clients.add(thread);
            }
            Wait.until(() -> ok(answers).size() >= 500, Duration.ofSeconds(60), "500 records acknowledged");

            ksf.destroy(); // SIGTERM

            assertThat(ksf.waitFor(60, TimeUnit.SECONDS)).isTrue();
            posting.set(false);
            for (Thread thread : clients) {
                thread.join(30_000);
            }
            assertThat(ksf.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            posting.set(false);
            ksf.destroyForcibly();
        }
        List<String> acknowledged = new ArrayList<>();
        int failed = 0;
        int unanswered = 0;
        synchronized (answers) {
            for (Sent sent : answers) {
                try {
                    HttpResponse<String> response = sent.answer().get(10, TimeUnit.SECONDS);
                    assertThat(response.statusCode()).as(response.body()).isIn(200, 503);
                    if (response.statusCode() == 200) {
                        acknowledged.add(Integer.toString(sent.value()));
                    } else {
                        failed++;
                    }
                } catch (ExecutionException e) {
                    unanswered++; // refused at connect: the server had stopped listening, nothing was taken
                }
            }
        }
        List<String> stored = kafka.read("ab12.pin").stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        System.out.printf("http ingest SIGTERM: %,d requests, %,d answered 200, %,d answered 503, %,d refused at "
                + "connect; %,d records in the topic%n", answers.size(), acknowledged.size(), failed, unanswered,
                stored.size());
        assertThat(stored).containsAll(acknowledged);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<HttpResponse<String>> ok(List<Sent> answers) {
        synchronized (answers) {
            return answers.stream().map(Sent::answer).filter(a -> a.isDone() && !a.isCompletedExceptionally())
                    .map(CompletableFuture::join).filter(r -> r.statusCode() == 200).toList();
        }
    }
}
