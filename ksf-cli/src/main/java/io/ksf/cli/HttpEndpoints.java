package io.ksf.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ksf.pipeline.PipelineHealth;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP port of {@code ksf run} for the container platform: {@code /metrics} in Prometheus text format,
 * {@code /health/live} and {@code /health/ready} (200 or 503 with the reason).
 */
final class HttpEndpoints implements AutoCloseable {
    private final HttpServer server;

    HttpEndpoints(int port, Supplier<PipelineHealth> health, PrometheusMeterRegistry registry) {
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port, e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "ksf-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/metrics", exchange -> send(exchange, 200, registry.scrape(),
                "text/plain; version=0.0.4; charset=utf-8"));
        server.createContext("/health/live", exchange -> {
            PipelineHealth now = health.get();
            send(exchange, now.live() ? 200 : 503, now.reason() + "\n", "text/plain; charset=utf-8");
        });
        server.createContext("/health/ready", exchange -> {
            PipelineHealth now = health.get();
            send(exchange, now.ready() ? 200 : 503, now.reason() + "\n", "text/plain; charset=utf-8");
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void send(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
