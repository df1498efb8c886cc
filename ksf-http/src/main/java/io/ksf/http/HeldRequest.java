package io.ksf.http;

import io.ksf.http.RestProxy.ErrorCode;
import io.ksf.http.RestProxy.Incoming;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A produce request whose records wait to be durable; it is answered once, by whichever comes first: the commit
 * of its records, the request timeout, or the source closing.
 */
final class HeldRequest {
    private final Response response;
    private final Callback callback;
    private final String topic;
    private final List<Incoming> records;
    /** v3: a delivery report for the one record; v2: offsets. */
    private final String clusterId;
    private final AtomicBoolean answered = new AtomicBoolean();
    private long firstOffset;
    private long bytes;
    private long deadlineNanos;
    private long timestamp;
    /** Per record, why it was not stored (dead-lettered), or null; allocated on the first refusal. */
    private String[] refusals;
    /** Per record, where the target stored it, if it reports that (Kafka); allocated on the first report. */
    private String[] storedTopics;
    private int[] storedPartitions;
    private long[] storedOffsets;
    /** With an Idempotency-Key: where its answer goes for the retries; else null. */
    private IdempotencyKeys keys;
    private IdempotencyKeys.Entry key;

    /** A request of the v2 API ({@code clusterId} null) or of v3. */
    HeldRequest(Response response, Callback callback, String topic, List<Incoming> records, String clusterId) {
        this.response = response;
        this.callback = callback;
        this.topic = topic;
        this.records = records;
        this.clusterId = clusterId;
    }

    /** It came with an Idempotency-Key: its answer is also that of the key's retries. */
    void idempotent(IdempotencyKeys keys, IdempotencyKeys.Entry key) {
        this.keys = keys;
        this.key = key;
    }

    /** Whether it came with an Idempotency-Key: answered 503 when late, it still waits for its records. */
    boolean idempotent() {
        return key != null;
    }

    /** Its records got offsets from {@code firstOffset} on; called under the source's lock. */
    void held(long first, long weight, long deadline, long receivedAt) {
        this.firstOffset = first;
        this.bytes = weight;
        this.deadlineNanos = deadline;
        this.timestamp = receivedAt;
    }

    long firstOffset() {
        return firstOffset;
    }

    long lastOffset() {
        return firstOffset + records.size() - 1;
    }

    long bytes() {
        return bytes;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    boolean contains(long offset) {
        return offset >= firstOffset && offset <= lastOffset();
    }

    /** One record went to the dead letters instead of the target; called under the source's lock. */
    void refused(long offset, String reason) {
        if (refusals == null) {
            refusals = new String[records.size()];
        }
        refusals[(int) (offset - firstOffset)] = reason;
    }

    /** The target stored one record at this position of its own; called under the source's lock. */
    void storedAt(long offset, String topic, int partition, long storedOffset) {
        if (storedOffsets == null) {
            storedTopics = new String[records.size()];
            storedPartitions = new int[records.size()];
            storedOffsets = new long[records.size()];
        }
        int i = (int) (offset - firstOffset);
        storedTopics[i] = topic;
        storedPartitions[i] = partition;
        storedOffsets[i] = storedOffset;
    }

    /**
     * Each record's partition and offset in the answer: where the target stored it when it reports that (Kafka's
     * own), else this source's position (its {@code partition} and KSF's offset).
     */
    private RestProxy.Positions positions(int partition) {
        int[] partitions = new int[records.size()];
        long[] offsets = new long[records.size()];
        for (int i = 0; i < partitions.length; i++) {
            boolean reported = storedTopics != null && storedTopics[i] != null;
            partitions[i] = reported ? storedPartitions[i] : partition;
            offsets[i] = reported ? storedOffsets[i] : firstOffset + i;
        }
        return new RestProxy.Positions(partitions, offsets);
    }

    /** Every record is durable (in the target, or refused into the dead letters): the answer. */
    void stored(int partition) {
        RestProxy.Answer answer = answer(partition);
        if (answered.compareAndSet(false, true)) {
            HttpSource.send(response, callback, answer);
        }
        if (key != null) {
            keys.answered(key, answer);
        }
    }

    /** Its Idempotency-Key, or null. */
    IdempotencyKeys.Entry key() {
        return key;
    }

    /** The answer its records being durable gives: 200 with their positions, or 422 naming those refused. */
    RestProxy.Answer answer(int partition) {
        if (refusals != null) {
            int refused = 0;
            String first = null;
            for (String refusal : refusals) {
                if (refusal != null) {
                    refused++;
                    first = first == null ? refusal : first;
                }
            }
            return new RestProxy.Answer(ErrorCode.PAYLOAD.status, RestProxy.V2_RESPONSE,
                    RestProxy.partialError(refused + " of " + records.size() + " records were not stored: " + first,
                            positions(partition), refusals));
        }
        if (clusterId != null) {
            Incoming record = records.get(0);
            RestProxy.Positions at = positions(partition);
            String storedTopic = storedTopics != null && storedTopics[0] != null ? storedTopics[0] : topic;
            return new RestProxy.Answer(200, RestProxy.JSON, RestProxy.report(clusterId, storedTopic,
                    at.partitions()[0], at.offsets()[0], record.timestamp() == null ? timestamp : record.timestamp(),
                    record));
        }
        return new RestProxy.Answer(200, RestProxy.V2_RESPONSE, RestProxy.offsets(positions(partition), null));
    }

    /** None or not all of its records are known to be durable: an error answer. */
    void fail(ErrorCode code, String message) {
        if (answered.compareAndSet(false, true)) {
            HttpSource.send(response, callback, RestProxy.Answer.error(code, message, clusterId != null));
        }
    }
}
