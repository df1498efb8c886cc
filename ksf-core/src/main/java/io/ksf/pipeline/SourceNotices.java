package io.ksf.pipeline;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.Source;
import io.ksf.spi.SupportsDeadLetterNotice;
import io.ksf.spi.SupportsStoredNotice;

/** What the sinks tell the source about its records, for the sources that want to hear it. */
record SourceNotices(SupportsDeadLetterNotice deadLetters, SupportsStoredNotice stored) {
    private static final SupportsDeadLetterNotice NO_DEAD_LETTERS = deadLetter -> { };
    private static final SupportsStoredNotice NOT_STORED = (record, topic, partition, offset) -> { };

    /** The notices this source implements; the others go nowhere. */
    static SourceNotices of(Source source) {
        return new SourceNotices(source instanceof SupportsDeadLetterNotice d ? d : NO_DEAD_LETTERS,
                source instanceof SupportsStoredNotice s ? s : NOT_STORED);
    }

    void deadLettered(KsfRecord deadLetter) {
        deadLetters.deadLettered(deadLetter);
    }
}
