package io.ksf.kinesis;

import io.ksf.spi.SourcePartition;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/** A shard of the stream and where the kinesis source is in it; used on the poll thread only. */
final class ShardState {

    /** Waiting for its parents to end, reading, read to its end and durable, or ended (its children may start). */
    enum State { WAITING, READING, DRAINED, ENDED }

    /** Its key in the source's maps and checkpoint (its id, or stream/id when the source reads several streams). */
    final String key;
    final String stream;
    final String id;
    final SourcePartition partition;
    /** The keys of its parents. */
    final List<String> parents;
    /** Its last record's sequence number once it is closed (a shard listed open may close later). */
    String endingSequence;
    State state = State.WAITING;
    String iterator;
    String lastDelivered;
    long delivered;
    long committed;
    /** Where the records handed out and not yet durable are, by offset. */
    final TreeMap<Long, Position> sequences = new TreeMap<>();
    /** After a restart inside a KPL aggregate: its sequence number, whose user records up to skipThrough are durable. */
    String skipSequence;
    long skipThrough;
    long nextReadNanos;
    long backoffNanos;
    boolean paused;
    ShardIteratorType startType;
    String startSequence;
    /** Fan-out: the shard's open subscription, or null. */
    ShardSubscription subscription;
    /** Fan-out: where the last event taken ended, which the next subscription starts after. */
    String continuation;

    /**
     * A record's place in the shard: its Kinesis sequence number and, for a user record of a KPL aggregate, its
     * sub-sequence number and whether it is the aggregate's last (a whole record is its own last).
     */
    record Position(String sequence, long subSequence, boolean last) {
    }

    ShardState(String key, String stream, String id, SourcePartition partition, List<String> parents,
               String endingSequence) {
        this.key = key;
        this.stream = stream;
        this.id = id;
        this.partition = partition;
        this.parents = parents;
        this.endingSequence = endingSequence;
    }

    /** The same shard, not read by this instance (its store shard went to another). */
    ShardState unread() {
        return new ShardState(key, stream, id, partition, parents, endingSequence);
    }

    /**
     * A shard as ListShards gives it: its parents (one, two after a merge, none; by key) and its end if closed.
     */
    static ShardState listed(String stream, String key, Shard shard, UnaryOperator<String> keyOf) {
        List<String> parents = new ArrayList<>();
        if (shard.parentShardId() != null) {
            parents.add(keyOf.apply(shard.parentShardId()));
        }
        if (shard.adjacentParentShardId() != null) {
            parents.add(keyOf.apply(shard.adjacentParentShardId()));
        }
        return new ShardState(key, stream, shard.shardId(), new SourcePartition(stream,
                KinesisSource.number(shard.shardId())), List.copyOf(parents),
                shard.sequenceNumberRange().endingSequenceNumber());
    }
}
