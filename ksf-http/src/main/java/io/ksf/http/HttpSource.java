package io.ksf.http;

import io.ksf.http.RestProxy.ErrorCode;
import io.ksf.http.RestProxy.Incoming;
import io.ksf.spi.Header;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsDeadLetterNotice;
import io.ksf.spi.SupportsLag;
import io.ksf.spi.SupportsStoredNotice;
import io.ksf.spi.SupportsTransactionalState;
import io.ksf.support.DeadLetters;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code http} source: an HTTP server that takes REST Proxy produce requests and answers each only once the
 * target has made all its records durable ({@link #commit} completes the held responses), or with an error
 * status when they were not stored: never a 200 with an error inside.
 *
 * <p>Records carry the request's topic, this source's {@code partition} and an offset from a sequence that starts
 * at the open's time in microseconds, so positions never repeat across restarts of one instance. The source holds
 * one partition, {@code http}/{@code partition}: pausing it (the runtime's memory budget) answers 429. Answers give
 * each record's partition and offset where the target stored it when the target reports that (Kafka's, as REST
 * Proxy answers), else these positions of KSF's own.
 */
public final class HttpSource implements Source, SupportsLag, SupportsDeadLetterNotice, SupportsStoredNotice,
        SupportsTransactionalState {
    private static final Logger LOG = LoggerFactory.getLogger(HttpSource.class);
    /** A record's fixed weight in memory besides its key and value. */
    private static final long RECORD_OVERHEAD = 160;
    private static final Duration QUIET = Duration.ofMillis(150);
    private static final Duration DRAIN = Duration.ofSeconds(2);

    private final HttpSourceSettings settings;
    private final SourcePartition own;
    private final IdempotencyKeys keys;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<KsfRecord> ready = new ArrayDeque<>();
    /** Requests whose records are not durable yet, per topic, by their first record's offset. */
    private final Map<String, TreeMap<Long, HeldRequest>> held = new HashMap<>();
    /** Requests that reached the handler: each is answered, also on stopping (the log says how many there were). */
    private final LongAdder received = new LongAdder();
    private long nextOffset;
    private long heldBytes;
    private boolean paused;
    private boolean woken;
    private boolean closed;
    private Server server;
    private ScheduledExecutorService timeouts;

    /** A source with these settings; nothing listens before {@link #open}. */
    public HttpSource(HttpSourceSettings settings) {
        this.settings = settings;
        this.own = new SourcePartition("http", settings.partition());
        this.keys = new IdempotencyKeys(settings.idempotencyWindow(), settings.idempotencyMaxKeys());
    }

    /** The Idempotency-Keys of the requests taken. */
    IdempotencyKeys keys() {
        return keys;
    }

    @Override
    public void open(SourceContext context) {
        context.limitLatency(settings.flushInterval()); // clients wait for their answer
        nextOffset = System.currentTimeMillis() * 1000;
        server = server(new TopicMetadata(settings, context.targetTopics()));
        try {
            server.start();
        } catch (Exception e) {
            throw new KsfException("http source: cannot listen on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
        timeouts = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ksf-http-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        timeouts.scheduleWithFixedDelay(this::failLateRequests, 100, 100, TimeUnit.MILLISECONDS);
        LOG.info("http source: listening on {}://{}:{} for topics {}", settings.tls() == null ? "http" : "https",
                settings.host(), port(), settings.describeTopics());
        context.assigned(List.of(own));
    }

    private Server server(TopicMetadata metadata) {
        QueuedThreadPool threads = new QueuedThreadPool(settings.maxThreads());
        threads.setName("ksf-http");
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        HttpConnectionFactory plain = new HttpConnectionFactory(http);
        ServerConnector connector;
        if (settings.tls() == null) {
            connector = new ServerConnector(jetty, plain);
        } else {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(settings.tls().keystoreLocation());
            tls.setKeyStorePassword(settings.tls().keystorePassword());
            tls.setKeyStoreType(settings.tls().keystoreType());
            connector = new ServerConnector(jetty, new SslConnectionFactory(tls, plain.getProtocol()), plain);
        }
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(settings.idleTimeout().toMillis()); // slow clients are cut off
        jetty.addConnector(connector);
        // on stop, requests already in the handler finish and get their answer; without it Jetty cut them off
        GracefulHandler graceful = new GracefulHandler();
        graceful.setHandler(new ProduceHandler(this, settings, metadata));
        jetty.setHandler(graceful);
        jetty.setStopTimeout(1000);
        return jetty;
    }

    /** The port the server listens on (the one chosen when {@code port} is 0), or -1 before {@link #open}. */
    public int port() {
        return server == null ? -1 : ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** A request reached the handler (any path, any answer). */
    void received() {
        received.increment();
    }

    /** The answer a request gets if it cannot be held now, or null once it is held (the handler's thread). */
    ErrorCode hold(String topic, List<Incoming> records, HeldRequest request) {
        long bytes = 0;
        for (Incoming record : records) {
            bytes += record.size() + RECORD_OVERHEAD;
        }
        long now = System.currentTimeMillis();
        lock.lock();
        try {
            if (closed) {
                return ErrorCode.NOT_STORED;
            }
            if (paused || heldBytes + bytes > settings.memoryBudget() && heldBytes > 0) {
                return ErrorCode.TOO_MANY_REQUESTS;
            }
            request.held(nextOffset, bytes, System.nanoTime() + settings.requestTimeout().toNanos(), now);
            for (Incoming record : records) {
                List<Header> headers = record.headers();
                if (record.partition() != null) {
                    headers = new ArrayList<>(headers);
                    headers.add(Header.of(Header.KAFKA_PARTITION, Integer.toString(record.partition())));
                }
                ready.add(KsfRecord.of(topic, own.partition(), nextOffset++,
                        record.timestamp() == null ? now : record.timestamp(), record.key(), record.value(),
                        headers));
            }
            held.computeIfAbsent(topic, t -> new TreeMap<>()).put(request.firstOffset(), request);
            heldBytes += bytes;
            arrived.signal();
            return null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<KsfRecord> poll(Duration timeout) {
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (ready.isEmpty() && !woken && !closed && left > 0) {
                left = arrived.awaitNanos(left);
            }
            woken = false;
            if (ready.isEmpty()) {
                return List.of();
            }
            int n = Math.min(ready.size(), settings.maxPollRecords());
            List<KsfRecord> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(ready.poll());
            }
            return batch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    /** Answers every request whose records are all durable now. */
    @Override
    public void commit(Positions positions) {
        List<HeldRequest> done = new ArrayList<>();
        lock.lock();
        try {
            positions.asMap().forEach((tp, next) -> {
                TreeMap<Long, HeldRequest> waiting = held.get(tp.topic());
                while (tp.partition() == own.partition() && waiting != null && !waiting.isEmpty()
                        && waiting.firstEntry().getValue().lastOffset() < next) {
                    HeldRequest request = waiting.pollFirstEntry().getValue();
                    heldBytes -= request.bytes();
                    done.add(request);
                }
            });
        } finally {
            lock.unlock();
        }
        done.forEach(request -> request.stored(own.partition()));
    }

    /** With {@code idempotency.topic}: where the answers of Idempotency-Key requests are kept (else null). */
    @Override
    public String stateTopic() {
        return settings.idempotencyTopic();
    }

    @Override
    public Duration stateWindow() {
        return settings.idempotencyWindow();
    }

    /** The answers that these positions give to requests with an Idempotency-Key, by topic and key. */
    @Override
    public Map<String, byte[]> state(Positions positions) {
        Map<String, byte[]> answers = new HashMap<>();
        lock.lock();
        try {
            positions.asMap().forEach((tp, next) -> {
                TreeMap<Long, HeldRequest> waiting = held.get(tp.topic());
                if (tp.partition() != own.partition() || waiting == null) {
                    return;
                }
                for (HeldRequest request : waiting.values()) {
                    if (request.lastOffset() >= next) {
                        break;
                    }
                    if (request.key() != null) {
                        answers.put(request.key().id(), IdempotencyKeys.encode(request.key(),
                                request.answer(own.partition())));
                    }
                }
            });
        } finally {
            lock.unlock();
        }
        return answers;
    }

    /** The answers kept by earlier runs: retries of their requests get them. */
    @Override
    public void restore(Map<String, byte[]> state) {
        keys.restore(state);
        LOG.info("http source: {} answers of Idempotency-Key requests read back from {}", state.size(),
                settings.idempotencyTopic());
    }

    /** A record went to the dead letters: its request is answered with an error that names it. */
    @Override
    public void deadLettered(KsfRecord deadLetter) {
        Header error = deadLetter.header(DeadLetters.ERROR_MESSAGE);
        String message = error == null || error.value() == null ? "not stored"
                : new String(error.value(), StandardCharsets.UTF_8);
        lock.lock();
        try {
            HeldRequest request = heldRequestOf(deadLetter);
            if (request != null) {
                request.refused(deadLetter.offset(), message);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The target stored a record at a position of its own (Kafka's partition and offset): its answer says so. */
    @Override
    public void stored(KsfRecord record, String topic, int partition, long offset) {
        lock.lock();
        try {
            HeldRequest request = heldRequestOf(record);
            if (request != null) {
                request.storedAt(record.offset(), topic, partition, offset);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The held request a record of this source belongs to, or null (answered already); under the lock. */
    private HeldRequest heldRequestOf(KsfRecord record) {
        TreeMap<Long, HeldRequest> waiting = held.get(record.topic());
        if (waiting == null || record.partition() != own.partition()) {
            return null;
        }
        Map.Entry<Long, HeldRequest> candidate = waiting.floorEntry(record.offset());
        return candidate != null && candidate.getValue().contains(record.offset()) ? candidate.getValue() : null;
    }

    /**
     * Requests not durable within {@code request.timeout} get 503: their records may still be stored later. One with
     * an Idempotency-Key stays held, so that its retries get its answer once its records are durable.
     */
    private void failLateRequests() {
        List<HeldRequest> late = new ArrayList<>();
        long now = System.nanoTime();
        lock.lock();
        try {
            for (TreeMap<Long, HeldRequest> waiting : held.values()) {
                for (Iterator<HeldRequest> it = waiting.values().iterator(); it.hasNext(); ) {
                    HeldRequest request = it.next();
                    if (now - request.deadlineNanos() <= 0) {
                        break;
                    }
                    late.add(request);
                    if (!request.idempotent()) {
                        it.remove();
                        heldBytes -= request.bytes();
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        String message = "the records were not confirmed durable within " + settings.requestTimeout().toMillis()
                + " ms; they may still be stored";
        late.forEach(request -> request.fail(ErrorCode.NOT_STORED, message));
        keys.failLateWaiters(RestProxy.Answer.error(ErrorCode.NOT_STORED, message + " (the first request with this "
                + "Idempotency-Key is still waiting for its records)", false));
    }

    @Override
    public void pause(Collection<SourcePartition> partitions) {
        setPaused(partitions, true);
    }

    @Override
    public void resume(Collection<SourcePartition> partitions) {
        setPaused(partitions, false);
    }

    private void setPaused(Collection<SourcePartition> partitions, boolean value) {
        if (partitions.contains(own)) {
            lock.lock();
            try {
                paused = value;
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public Map<SourcePartition, Long> lag() {
        lock.lock();
        try {
            return Map.of(own, (long) ready.size());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void wakeup() {
        lock.lock();
        try {
            woken = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking requests, answers every held one with 503 (none of them is durable), stops the server. */
    @Override
    public void close() {
        List<HeldRequest> unanswered = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            held.values().forEach(waiting -> unanswered.addAll(waiting.values()));
            held.clear();
            ready.clear();
            heldBytes = 0;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        unanswered.forEach(request -> request.fail(ErrorCode.NOT_STORED,
                "KSF is stopping; the records were not stored"));
        keys.failAllWaiters(RestProxy.Answer.error(ErrorCode.NOT_STORED, "KSF is stopping; the records were not stored",
                false));
        if (!unanswered.isEmpty()) {
            LOG.info("http source: answered {} requests not yet stored with 503 on stopping", unanswered.size());
        }
        if (timeouts != null) {
            timeouts.shutdownNow();
        }
        if (server != null) {
            drain();
            try {
                server.stop();
            } catch (Exception e) {
                LOG.warn("http source: stopping the server failed: {}", e.toString());
            }
            LOG.info("http source: stopped after taking {} requests", received.sum());
        }
    }

    /**
     * Stops accepting connections and answers (503) the requests on connections already accepted, until none has
     * arrived for {@link #QUIET}, for at most {@link #DRAIN}: stopping the server at once would close a connection
     * accepted a moment before without reading its request.
     */
    private void drain() {
        ((ServerConnector) server.getConnectors()[0]).shutdown();
        long deadline = System.nanoTime() + DRAIN.toNanos();
        try {
            for (long seen = -1; seen != received.sum() && System.nanoTime() < deadline; ) {
                seen = received.sum();
                TimeUnit.MILLISECONDS.sleep(QUIET.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes a whole answer and completes the request. */
    static void send(Response response, Callback callback, RestProxy.Answer answer) {
        response.setStatus(answer.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
        if (answer.status() == 429) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
    }
}
