package io.ksf.spi;

import java.time.Duration;
import java.util.Map;

/**
 * A source with state of its own that must be exactly as durable as the records it produced: the http source's
 * answers to requests sent with an Idempotency-Key. With the kafka target's {@code exactly.once}, the state goes into
 * each flush's transaction as records of a compacted topic on the target's cluster, and a new run gets what the
 * committed transactions hold before it opens. Once a transaction has committed, the runtime calls the source's
 * {@link Source#commit} as it does without exactly-once.
 */
public interface SupportsTransactionalState {

    /** The compacted topic the state records go to, or null when the source keeps no state this way. */
    String stateTopic();

    /** How far back in the state topic a new run reads. */
    Duration stateWindow();

    /**
     * The state records that these positions make durable, by key (empty when none). Called on the thread that
     * commits, after the records of these positions were acknowledged and before the transaction commits.
     */
    Map<String, byte[]> state(Positions positions);

    /** What the committed transactions hold within the window: each key's last value, oldest first. Before open. */
    void restore(Map<String, byte[]> state);
}
