package io.ksf.spi;

/**
 * A source that must hear of each of its records that went to the dead letters instead of the target (the http
 * source, which answers the client that sent it with the reason instead of a success).
 */
public interface SupportsDeadLetterNotice {

    /**
     * The runtime sent this record to the dead-letter destination; the dead letter has the record's topic,
     * partition and offset, and its error in the {@code ksf.error.message} header. Called before the record's
     * position is committed, on the thread that writes to the targets.
     */
    void deadLettered(KsfRecord deadLetter);
}
