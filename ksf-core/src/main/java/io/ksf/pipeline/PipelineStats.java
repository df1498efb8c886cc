package io.ksf.pipeline;

import io.ksf.spi.Positions;

/**
 * A snapshot of what a pipeline has done since it started.
 *
 * @param recordsIn           records polled from the source
 * @param bytesIn             key and value bytes polled
 * @param recordsWritten      records handed to the target (after processors)
 * @param recordsFiltered     records that processors dropped on purpose
 * @param recordsDeadLettered records sent to the dead-letter destination
 * @param flushes             successful flushes
 * @param commits             commits of positions to the source
 * @param committed           the positions last committed
 */
public record PipelineStats(long recordsIn, long bytesIn, long recordsWritten, long recordsFiltered,
                            long recordsDeadLettered, long flushes, long commits, Positions committed) {
}
