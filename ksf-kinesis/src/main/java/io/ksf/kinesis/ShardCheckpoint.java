package io.ksf.kinesis;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.KsfException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where reading of one shard stands, as durable as the records before it.
 *
 * @param sequence    the sequence number of the last record made durable (decimal text, up to 129 digits), or null
 * @param next        how many records of the shard were made durable: the offset the next record gets
 * @param ended       the shard is closed and every one of its records is durable: its children may start
 * @param subSequence when the last durable record is a user record of a KPL aggregate that holds more after it,
 *                    its sub-sequence number (reading resumes at the aggregate, after it); else null
 */
public record ShardCheckpoint(String sequence, long next, boolean ended,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Long subSequence) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A checkpoint after a whole Kinesis record (not inside a KPL aggregate). */
    public ShardCheckpoint(String sequence, long next, boolean ended) {
        this(sequence, next, ended, null);
    }

    /** The checkpoints of a stream's shards, by shard id, from the one document the store keeps; none for null. */
    static Map<String, ShardCheckpoint> decodeAll(byte[] json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<Map<String, ShardCheckpoint>>() { });
        } catch (IOException e) {
            throw new KsfException("the Kinesis source's checkpoints are not readable: " + e.getMessage(), e);
        }
    }

    /** The checkpoints of a stream's shards as one document, in shard id order. */
    static byte[] encodeAll(Map<String, ShardCheckpoint> checkpoints) {
        try {
            return JSON.writeValueAsBytes(new TreeMap<>(checkpoints));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
