package io.ksf.spi;

import java.util.List;

/**
 * User logic between the source and the target: filter, transform, enrich, validate or split records.
 *
 * <p>{@link #process} sees decoded records ({@link KsfRecord#data()}) and returns zero or more records. A record
 * that must not go on is reported by throwing {@link InvalidRecordException} (any other exception counts the
 * same): the runtime sends it to the dead-letter destination with its origin and the error, never dropping it
 * silently. Returning an empty list is a deliberate filter.
 */
@FunctionalInterface
public interface Processor extends AutoCloseable {

    /**
     * Processes one record.
     * @return the records that replace it: none drops it on purpose, one or more go on to the next processor
     * @throws InvalidRecordException when the record is bad: it goes to the dead letters with this message
     */
    List<KsfRecord> process(KsfRecord record);

    @Override
    default void close() {
    }
}
