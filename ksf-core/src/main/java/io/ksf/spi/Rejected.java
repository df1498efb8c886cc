package io.ksf.spi;

/**
 * A record a target refused to store (too large, an invalid field name ...), with the reason. The runtime sends
 * it to the dead-letter destination before it commits.
 */
public record Rejected(KsfRecord record, InvalidRecordException reason) {
}
