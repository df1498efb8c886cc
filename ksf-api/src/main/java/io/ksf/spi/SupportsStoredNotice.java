package io.ksf.spi;

/**
 * A source that hears where the target stored each of its records (the http source, which answers a produce
 * request with the partition and offset Kafka gave each record, as REST Proxy does). Only targets that store
 * records at positions of their own report them: the kafka target does, through {@link TargetContext#stored}.
 */
public interface SupportsStoredNotice {

    /**
     * The target stored this record at this partition and offset of this topic. The record is the one the target
     * was given: its topic, partition and offset are still the source's. Called before the record's position is
     * committed, on the thread that flushes the target; a record sent again after a failed flush is reported again,
     * and the last report before the commit is where it is.
     */
    void stored(KsfRecord record, String topic, int partition, long offset);
}
