package io.ksf.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy in front of an HTTP server (the S3 server) that injects faults: a 503 SlowDown, a 500, a connection
 * reset, or a delay, for the next N connections or for a time window. Outside faults it relays bytes untouched, so
 * signatures stay valid. Starting a fault closes the open connections, so clients must come through it again. A
 * delay is a fault of requests, not of connections: it holds each request that starts while it lasts, also those
 * on a connection kept alive.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does to a request instead of passing it on. */
    public enum Fault { SLOW_DOWN_503, INTERNAL_ERROR_500, RESET, DELAY }

    /** The start of a "100 Continue" answer. */
    private static final byte[] CONTINUE = "HTTP/1.1 100".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger faultsLeft = new AtomicInteger();
    private final AtomicInteger faulted = new AtomicInteger();
    private volatile Fault fault;
    private volatile long faultUntilNanos;
    private volatile Duration delay = Duration.ofSeconds(2);
    private volatile boolean closed;

    private FaultProxy(ServerSocket server, URI upstream) {
        this.server = server;
        this.upstreamHost = upstream.getHost();
        this.upstreamPort = upstream.getPort();
        Thread acceptor = new Thread(this::accept, "ksf-fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a proxy on a free loopback port in front of this server. */
    public static FaultProxy start(URI upstream) {
        try {
            return new FaultProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), upstream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where clients connect, instead of the server itself. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** The next {@code connections} connections get the fault ({@link Fault#DELAY}: the next requests). */
    public void failNext(Fault kind, int connections) {
        fault = kind;
        faultUntilNanos = 0;
        faultsLeft.set(connections);
        dropOpenConnections();
    }

    /** Every connection during the window gets the fault. */
    public void failFor(Fault kind, Duration window) {
        fault = kind;
        faultsLeft.set(0);
        faultUntilNanos = System.nanoTime() + window.toNanos();
        dropOpenConnections();
    }

    /** How long {@link Fault#DELAY} holds a request. */
    public void delay(Duration value) {
        this.delay = value;
    }

    /** Connections that got a fault so far, or, for {@link Fault#DELAY}, requests. */
    public int faulted() {
        return faulted.get();
    }

    /** True while a fault is still to be injected. */
    public boolean faulting() {
        return faultsLeft.get() > 0 || System.nanoTime() < faultUntilNanos;
    }

    private Fault takeFault() {
        if (faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || System.nanoTime() < faultUntilNanos) {
            faulted.incrementAndGet();
            return fault;
        }
        return null;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Thread handler = new Thread(() -> handle(client), "ksf-fault-proxy-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                if (!closed) {
                    LockSupport.parkNanos(10_000_000);
                }
            }
        }
    }

    private void handle(Socket client) {
        open.add(client);
        try {
            Fault injected = fault == Fault.DELAY ? null : takeFault(); // delays are taken per request, in relay
            if (injected == Fault.RESET) {
                client.setSoLinger(true, 0);
                client.close();
                return;
            }
            if (injected == Fault.SLOW_DOWN_503 || injected == Fault.INTERNAL_ERROR_500) {
                readRequestHead(client.getInputStream());
                respond(client, injected == Fault.SLOW_DOWN_503
                        ? "503 Slow Down" : "500 Internal Server Error", injected == Fault.SLOW_DOWN_503
                        ? "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                        : "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>");
                return;
            }
            relay(client);
        } catch (IOException ignored) {
            // the client or the server went away; the client sees a broken connection
        } finally {
            open.remove(client);
            closeQuietly(client);
        }
    }

    /** Relays both ways; while a delay lasts, each request is held before it goes on. */
    private void relay(Socket client) throws IOException {
        try (Socket upstream = new Socket(upstreamHost, upstreamPort)) {
            open.add(upstream);
            // true until the client sends: its next bytes start a new request
            AtomicBoolean answered = new AtomicBoolean(true);
            Thread back = new Thread(() -> pump(upstream, client, (bytes, length) -> {
                if (!interimResponse(bytes, length)) {
                    answered.set(true);
                }
            }), "ksf-fault-proxy-response");
            back.setDaemon(true);
            back.start();
            pump(client, upstream, (bytes, length) -> {
                if (answered.getAndSet(false) && fault == Fault.DELAY && takeFault() != null) {
                    LockSupport.parkNanos(delay.toNanos());
                }
            });
            try {
                back.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What a pump shows of each chunk before it writes it on. */
    private interface ChunkListener {
        void chunk(byte[] bytes, int length);
    }

    /** A "100 Continue" answers only the head of a request: its body is not a new request. */
    private static boolean interimResponse(byte[] bytes, int length) {
        return length >= CONTINUE.length && Arrays.equals(bytes, 0, CONTINUE.length, CONTINUE, 0, CONTINUE.length);
    }

    /** Copies bytes until the end of the stream, showing each chunk to {@code listener} first. */
    private static void pump(Socket from, Socket to, ChunkListener listener) {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                listener.chunk(buffer, n);
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; matched < 4 && (b = in.read()) >= 0; ) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    private static void respond(Socket client, String status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n";
        OutputStream out = client.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private void dropOpenConnections() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        dropOpenConnections();
    }
}
