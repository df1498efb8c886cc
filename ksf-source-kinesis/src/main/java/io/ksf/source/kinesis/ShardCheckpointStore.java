package io.ksf.source.kinesis;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.KsfException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Where a Kinesis source keeps its {@link ShardCheckpoint}s, by shard id: read at start, written after commits. */
interface ShardCheckpointStore extends AutoCloseable {
    ObjectMapper JSON = new ObjectMapper();

    /** Every shard's checkpoint saved so far. */
    Map<String, ShardCheckpoint> load();

    /** Saves these shards' checkpoints, durably, before returning. */
    void save(Map<String, ShardCheckpoint> checkpoints);

    /** Where it is, for logs and errors. */
    String describe();

    @Override
    default void close() {
    }

    static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, ShardCheckpoint> decodeAll(byte[] json, String where) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, ShardCheckpoint>>() { });
        } catch (IOException e) {
            throw new KsfException("the Kinesis source's checkpoints " + where + " are not readable: "
                    + e.getMessage(), e);
        }
    }

    static ShardCheckpoint decode(byte[] json, String where) {
        try {
            return JSON.readValue(json, ShardCheckpoint.class);
        } catch (IOException e) {
            throw new KsfException("the Kinesis source's checkpoint " + where + " is not readable: "
                    + e.getMessage(), e);
        }
    }
}
