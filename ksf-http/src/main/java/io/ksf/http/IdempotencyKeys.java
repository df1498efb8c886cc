package io.ksf.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksf.http.RestProxy.Answer;
import io.ksf.spi.KsfException;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The produce requests sent with an {@code Idempotency-Key} header, by topic and key, for {@code idempotency.window}:
 * a request whose key is known is not stored again. It gets the first request's answer once that one's records are
 * durable (at once when they are, else when they become so, even when the first request itself was answered 503),
 * or 422 when the key came with a different request. Kept in memory, at most {@code idempotency.max.keys} answered
 * keys (the oldest go first); with {@code idempotency.topic} the answers also go into the kafka target's
 * transactions and a restart reads them back, else a restart forgets them.
 */
final class IdempotencyKeys {
    /** What became of a claim: the first request of its key stores its records; the others wait or are answered. */
    enum Claim { FIRST, ANSWERED, WAITING, OTHER_REQUEST }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final long windowNanos;
    private final int maxKeys;
    /** By topic and key, oldest first. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    /** How many of the entries have their answer. */
    private int answered;

    /** A key: the request it came with (a digest), and its answer once its records are durable. */
    static final class Entry {
        private final String id;
        private final byte[] digest;
        private final long createdNanos;
        private Answer answer;
        private final List<Waiter> waiters = new ArrayList<>();

        Entry(String id, byte[] digest, long createdNanos) {
            this.id = id;
            this.digest = digest;
            this.createdNanos = createdNanos;
        }

        /** Its topic and key. */
        String id() {
            return id;
        }
    }

    /** A retry waiting for the first request's answer, until its own deadline. */
    private record Waiter(Response response, Callback callback, long deadlineNanos) {
    }

    IdempotencyKeys(Duration window, int maxKeys) {
        this.windowNanos = window.toNanos();
        this.maxKeys = maxKeys;
    }

    /** The digest that tells requests apart: path, content type and body (inflated). */
    static byte[] digest(String path, String contentType, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((path + "\n" + contentType + "\n").getBytes(StandardCharsets.UTF_8));
            return sha.digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Claims a key for a request. {@link Claim#FIRST}: the caller stores the records and calls {@link #answered} or
     * {@link #release} with the entry from {@link #entry}; {@link Claim#ANSWERED}: the answer was sent;
     * {@link Claim#WAITING}: it will be sent when the first request's is, or 503 after {@code timeout};
     * {@link Claim#OTHER_REQUEST}: nothing was sent, the caller answers 422.
     */
    synchronized Claim claim(String id, byte[] digest, Response response, Callback callback, Duration timeout) {
        long now = System.nanoTime();
        expire(now);
        Entry entry = entries.get(id);
        if (entry == null) {
            entries.put(id, new Entry(id, digest, now));
            return Claim.FIRST;
        }
        if (!MessageDigest.isEqual(entry.digest, digest)) {
            return Claim.OTHER_REQUEST;
        }
        if (entry.answer != null) {
            send(response, callback, entry.answer);
            return Claim.ANSWERED;
        }
        entry.waiters.add(new Waiter(response, callback, now + timeout.toNanos()));
        return Claim.WAITING;
    }

    /** The entry of a key claimed {@link Claim#FIRST}. */
    synchronized Entry entry(String id) {
        return entries.get(id);
    }

    /** The first request's records are durable (or dead-lettered): its answer is every later request's. */
    void answered(Entry entry, Answer answer) {
        List<Waiter> waiting;
        synchronized (this) {
            if (entry.answer == null && entries.get(entry.id) == entry) {
                answered++;
            }
            entry.answer = answer;
            waiting = new ArrayList<>(entry.waiters);
            entry.waiters.clear();
        }
        waiting.forEach(waiter -> send(waiter.response(), waiter.callback(), answer));
    }

    /** The first request's records were not taken (busy, stopping): the key is free again, its waiters get this. */
    void release(Entry entry, Answer answer) {
        List<Waiter> waiting;
        synchronized (this) {
            entries.remove(entry.id, entry);
            waiting = new ArrayList<>(entry.waiters);
            entry.waiters.clear();
        }
        waiting.forEach(waiter -> send(waiter.response(), waiter.callback(), answer));
    }

    /** Retries past their deadline get 503, as the first request did; the key keeps waiting for its records. */
    void failLateWaiters(Answer late) {
        List<Waiter> expired = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (this) {
            for (Entry entry : entries.values()) {
                for (Iterator<Waiter> it = entry.waiters.iterator(); it.hasNext(); ) {
                    Waiter waiter = it.next();
                    if (now - waiter.deadlineNanos() > 0) {
                        expired.add(waiter);
                        it.remove();
                    }
                }
            }
        }
        expired.forEach(waiter -> send(waiter.response(), waiter.callback(), late));
    }

    /** Answers every waiting retry (the source is stopping). */
    void failAllWaiters(Answer stopping) {
        List<Waiter> all = new ArrayList<>();
        synchronized (this) {
            entries.values().forEach(entry -> {
                all.addAll(entry.waiters);
                entry.waiters.clear();
            });
        }
        all.forEach(waiter -> send(waiter.response(), waiter.callback(), stopping));
    }

    /** Answered keys older than the window, and the oldest answered ones beyond the limit, are forgotten. */
    private void expire(long now) {
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Entry entry = it.next().getValue();
            if (entry.answer == null) {
                continue; // its records may still become durable
            }
            if (now - entry.createdNanos > windowNanos || answered > maxKeys) {
                it.remove();
                answered--;
            } else {
                break; // oldest first: the rest are newer
            }
        }
    }

    /** A key's answer as the state topic keeps it: its request's digest, its answer, when it was answered. */
    static byte[] encode(Entry entry, Answer answer) {
        ObjectNode node = JSON.createObjectNode();
        node.put("digest", entry.digest);
        node.put("status", answer.status());
        node.put("type", answer.contentType());
        node.put("body", answer.body());
        node.put("at", System.currentTimeMillis());
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The answered keys a state topic kept, oldest first: their retries get these answers. */
    synchronized void restore(Map<String, byte[]> state) {
        long now = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        state.forEach((id, value) -> {
            try {
                JsonNode node = JSON.readTree(value);
                long age = Math.max(0, nowMillis - node.get("at").asLong());
                Entry entry = new Entry(id, node.get("digest").binaryValue(), now - age * 1_000_000);
                entry.answer = new Answer(node.get("status").asInt(), node.get("type").asText(),
                        node.get("body").binaryValue());
                if (entries.put(id, entry) == null) {
                    answered++;
                }
            } catch (IOException | RuntimeException e) {
                throw new KsfException("http source: the kept answer of Idempotency-Key " + id.replace('\n', '/')
                        + " is not readable: " + e.getMessage(), e);
            }
        });
        expire(now);
    }

    /** How many keys are kept. */
    synchronized int size() {
        return entries.size();
    }

    private static void send(Response response, Callback callback, Answer answer) {
        response.getHeaders().put("Idempotent-Replayed", "true");
        HttpSource.send(response, callback, answer);
    }
}
