package io.ksf.spi;

/**
 * What the runtime offers a target, handed to {@link Target#open(TargetContext)}: where the target reports the
 * records it refuses to store, as Kafka Connect's errant-record reporter does, and, if it has them, the positions
 * it stored records at.
 */
public interface TargetContext {

    /** For a target used without a pipeline: a refused record is thrown as its reason. */
    TargetContext NONE = (record, reason) -> {
        throw reason;
    };

    /**
     * This record cannot be stored (too large, a field name the server refuses ...) while the records beside it
     * are. Its position still counts among those the flush returns: the runtime sends it to the dead-letter
     * destination before it commits that flush, or stops without committing when there is none. Called on the
     * target's thread, during {@link Target#write} or the flush that covers the record.
     */
    void reject(KsfRecord record, InvalidRecordException reason);

    /**
     * This record is stored at this partition and offset of this topic (a target that stores records at positions
     * of its own, such as Kafka, reports each once it is acknowledged; others never call it). The runtime passes it
     * on to a source that implements {@link SupportsStoredNotice}. Called on the target's thread, during the flush
     * that covers the record and before that flush returns.
     */
    default void stored(KsfRecord record, String topic, int partition, long offset) {
    }
}
