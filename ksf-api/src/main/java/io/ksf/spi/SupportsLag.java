package io.ksf.spi;

import java.util.Map;

/**
 * A source that knows how far it is behind the end of what it reads (the kafka, s3 and http sources); the runtime
 * publishes it as the {@code ksf.consumer.lag} metric (per partition) and as {@code Pipeline.lag()}.
 */
public interface SupportsLag {

    /** Records behind the end of each assigned partition, where known; called on the poll thread. */
    Map<SourcePartition, Long> lag();
}
