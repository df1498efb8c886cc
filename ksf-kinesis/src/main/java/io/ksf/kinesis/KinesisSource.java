package io.ksf.kinesis;

import io.ksf.checkpoint.CheckpointStore;
import io.ksf.checkpoint.CheckpointStoreFactory;
import io.ksf.checkpoint.CheckpointedSource;
import io.ksf.checkpoint.FileCheckpointStore;
import io.ksf.spi.Check;
import io.ksf.spi.Header;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsResumePositions;
import io.ksf.spi.SupportsServerCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KmsThrottlingException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardRequest;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;

/**
 * The {@code kinesis} source: Kinesis data streams read by polling GetRecords or by enhanced fan-out (SubscribeToShard),
 * one partition per shard (the stream's name and the shard id's number), a shard's children only once its every
 * record is durable.
 *
 * <p>Positions: a record's offset is its ordinal in its shard (how many records of the shard came before it, from
 * where this source first read it), which KSF's runtime handles like any offset. The checkpoint keeps, per shard,
 * the next ordinal with the sequence number of the last durable record (decimal text of up to 129 digits, never
 * a long), so a restart resumes after that sequence number and gives the next record the same offset as before:
 * replays rewrite the same S3 object names, and no offset means nothing after a restart.
 *
 * <p>Records that the Kinesis Producer Library aggregated are split into their user records, as the KCL does: each
 * gets its own offset, its own partition key as the key, and the sub-sequence number in a header; a restart inside
 * an aggregate reads it again from the stream and skips the user records that were durable. An aggregate that
 * cannot be read (its MD5 does not match, its protobuf is cut short) goes to the dead letters whole, with why.
 *
 * <p>Instances share the shards through their checkpoint store: a Kinesis shard's checkpoint is in store shard (its
 * number modulo the store's shard count), and an instance reads the shards of the store shards it owns. A child whose
 * parent another instance reads waits until that parent's checkpoint, read from the store, says it ended.
 */
public final class KinesisSource
        implements Source, SupportsResumePositions, SupportsServerCheck, CheckpointedSource {
    /** The header with a record's sequence number. */
    public static final String SEQUENCE_HEADER = "ksf.kinesis.sequence";
    /** The header with a record's shard id. */
    public static final String SHARD_HEADER = "ksf.kinesis.shard";
    /** The header with a KPL user record's sub-sequence number (its index in its aggregate). */
    public static final String SUB_SEQUENCE_HEADER = "ksf.kinesis.subsequence";
    /** The header with a KPL user record's explicit hash key, where its producer set one. */
    public static final String EXPLICIT_HASH_KEY_HEADER = "ksf.kinesis.explicit.hash.key";
    private static final Logger LOG = LoggerFactory.getLogger(KinesisSource.class);
    private static final long MAX_BACKOFF_NANOS = Duration.ofSeconds(10).toNanos();
    /** Between a fan-out subscription KSF ends and the next: a server refuses a new one while it holds the last. */
    private static final Duration RENEWAL_PAUSE = Duration.ofMillis(500);
    /** How long a newly registered fan-out consumer may take to become active (AWS: seconds). */
    private static final Duration CONSUMER_ACTIVE_TIMEOUT = Duration.ofMinutes(2);

    /** Where reading of a shard without a checkpoint starts. */
    public enum InitialPosition {
        /** The oldest record kept (no record lost, the retention window read again). */
        TRIM_HORIZON,
        /** Records that arrive from now on; closed shards are skipped. */
        LATEST,
        /** Records that arrived at or after {@code initial.timestamp}. */
        AT_TIMESTAMP
    }

    /**
     * How the streams are read.
     *
     * @param streams           the streams' names (one or more): each shard is a partition named by its stream
     * @param initialPosition   where shards without a checkpoint start
     * @param initialTimestamp  the instant of {@link InitialPosition#AT_TIMESTAMP}, or null
     * @param maxRecords        the most records one GetRecords returns (Kinesis allows 10,000)
     * @param readsPerSecond    GetRecords calls per shard per second (Kinesis allows 5, shared by all consumers)
     * @param discoveryInterval how often the shards are listed again (new shards after a split or merge)
     * @param maxPollRecords    the most records one poll returns
     */
    public record Settings(List<String> streams, InitialPosition initialPosition, Instant initialTimestamp,
                           int maxRecords, double readsPerSecond, Duration discoveryInterval, int maxPollRecords,
                           FanOut fanOut) {
        /** Copies the names; at least one. */
        public Settings {
            streams = List.copyOf(streams);
            if (streams.isEmpty()) {
                throw new IllegalArgumentException("a kinesis source reads at least one stream");
            }
        }

        /** Settings that read by polling. */
        public Settings(List<String> streams, InitialPosition initialPosition, Instant initialTimestamp,
                        int maxRecords, double readsPerSecond, Duration discoveryInterval, int maxPollRecords) {
            this(streams, initialPosition, initialTimestamp, maxRecords, readsPerSecond, discoveryInterval,
                    maxPollRecords, null);
        }

        /** Settings of one stream. */
        public Settings(String stream, InitialPosition initialPosition, Instant initialTimestamp, int maxRecords,
                        double readsPerSecond, Duration discoveryInterval, int maxPollRecords) {
            this(List.of(stream), initialPosition, initialTimestamp, maxRecords, readsPerSecond, discoveryInterval,
                    maxPollRecords);
        }

        /** The same settings, read by enhanced fan-out instead of polling. */
        public Settings withFanOut(FanOut fanOut) {
            return new Settings(streams, initialPosition, initialTimestamp, maxRecords, readsPerSecond,
                    discoveryInterval, maxPollRecords, fanOut);
        }

        /** The first stream, the only one of most sources. */
        public String stream() {
            return streams.get(0);
        }

        /** The streams' names as logs and errors give them. */
        String describe() {
            return String.join(", ", streams);
        }
    }

    /**
     * Enhanced fan-out: records pushed by Kinesis to a registered consumer, 2 MB/s per shard of its own, instead of
     * GetRecords calls shared with every other reader of the stream.
     *
     * @param consumerName the consumer this source registers with each stream (one name per application: the
     *                     instances of one pipeline share it, each subscribing to the shards it reads)
     * @param renewal      how long a subscription lasts before it is renewed from where it was (Kinesis ends each
     *                     after 5 minutes)
     */
    public record FanOut(String consumerName, Duration renewal) {
    }

    private final KinesisClient client;
    /** The client of fan-out subscriptions (HTTP/2), or null when the source polls. */
    private final KinesisAsyncClient asyncClient;
    private final Settings settings;
    /**
     * A document per store shard: the checkpoints of the Kinesis shards whose number modulo the store's shard count
     * is that store shard. Instances that share the store share the Kinesis shards so.
     */
    private final CheckpointStore store;
    private final String endpoint;
    /** Every shard listed, this instance's and the others', by {@link #key}. */
    private final Map<String, ShardState> shards = new TreeMap<>();
    private final Map<SourcePartition, ShardState> byPartition = new HashMap<>();
    private final Object wait = new Object();
    /** The store shards this instance owns: it reads the Kinesis shards whose checkpoints they hold. */
    private final Set<Integer> owned = new TreeSet<>();
    /** The checkpoints of the Kinesis shards this instance owns, by key. */
    private final Map<String, ShardCheckpoint> checkpoints = new HashMap<>();
    /** The checkpoints of other instances' shards that are parents of this instance's, as last read: have they ended. */
    private final Map<String, ShardCheckpoint> foreign = new HashMap<>();
    /** Fan-out: each stream's registered consumer, by stream. */
    private final Map<String, String> consumerArns = new HashMap<>();
    private SourceContext context;
    private boolean listedOnce;
    /** Fan-out: an event (or the end of a subscription) arrived since the poll loop last looked. */
    private volatile boolean arrived;
    private volatile int subscriptions; // counted on the poll thread, read by tests while it runs
    private long nextDiscoveryNanos;
    private volatile boolean woken;

    KinesisSource(KinesisClient client, Settings settings, CheckpointStore store, String endpoint) {
        this(client, null, settings, store, endpoint);
    }

    /** @param asyncClient the client of fan-out subscriptions when the settings read by fan-out, else null */
    KinesisSource(KinesisClient client, KinesisAsyncClient asyncClient, Settings settings, CheckpointStore store,
                  String endpoint) {
        if ((settings.fanOut() == null) != (asyncClient == null)) {
            throw new IllegalArgumentException("fan-out needs an async client, and polling none");
        }
        this.client = client;
        this.asyncClient = asyncClient;
        this.settings = settings;
        this.store = store;
        this.endpoint = endpoint;
    }

    /** A source that keeps its checkpoints in a local file (one instance). */
    public static KinesisSource withFileCheckpoints(KinesisClient client, Settings settings, Path file) {
        return new KinesisSource(client, settings, new FileCheckpointStore(file), "the stream's endpoint");
    }

    /** A source that reads by enhanced fan-out ({@link Settings#fanOut()}) and keeps its checkpoints in a file. */
    public static KinesisSource withFileCheckpoints(KinesisClient client, KinesisAsyncClient asyncClient,
                                                    Settings settings, Path file) {
        return new KinesisSource(client, asyncClient, settings, new FileCheckpointStore(file),
                "the stream's endpoint");
    }

    /**
     * A source that keeps its checkpoints in a compacted topic (written in the kafka target's transactions), whose
     * partitions the instances of one consumer group share: each reads the Kinesis shards whose number modulo
     * {@code storeShards} is a partition it owns. With one partition, one instance reads the streams and the others
     * wait to take over.
     */
    public static KinesisSource withKafkaCheckpoints(KinesisClient client, Settings settings, Properties cluster,
                                                     String topic, int storeShards, String group) {
        return new KinesisSource(client, settings,
                CheckpointStoreFactory.create("kafka", cluster, topic, storeShards, group), "the stream's endpoint");
    }

    @Override
    public void open(SourceContext context) {
        this.context = context;
        store.open(new CheckpointStore.ShardListener() {
            @Override
            public void onAssigned(Set<Integer> storeShards) {
                own(storeShards);
            }

            @Override
            public void onRevoked(Set<Integer> storeShards) {
                disown(storeShards, false);
            }

            @Override
            public void onLost(Set<Integer> storeShards) {
                disown(storeShards, true);
            }
        });
    }

    /** These store shards are this instance's now: read their checkpoints and start their Kinesis shards. */
    private void own(Set<Integer> storeShards) {
        for (int storeShard : storeShards) {
            ShardCheckpoint.decodeAll(store.load(storeShard))
                    .forEach((key, checkpoint) -> checkpoints.put(keyOfStored(key), checkpoint));
        }
        owned.addAll(storeShards);
        LOG.info("kinesis source: stream {}, checkpoints in {}{} ({} shards known)", settings.describe(),
                store.describe(), store.shards() == 1 ? "" : " shards " + owned, checkpoints.size());
        discover();
    }

    /**
     * These store shards go to another instance: the runtime commits what was read of their Kinesis shards (unless
     * they are lost already), then this instance forgets where it was in them.
     */
    private void disown(Set<Integer> storeShards, boolean lost) {
        List<SourcePartition> reading = shards.values().stream().filter(s -> storeShards.contains(storeShard(s.key))
                && (s.state == ShardState.State.READING || s.state == ShardState.State.DRAINED))
                .map(s -> s.partition).toList();
        if (!reading.isEmpty()) {
            if (lost) {
                context.lost(reading);
            } else {
                context.revoked(reading);
            }
        }
        shards.values().stream().filter(s -> storeShards.contains(storeShard(s.key))).forEach(this::unsubscribe);
        shards.replaceAll((key, shard) -> storeShards.contains(storeShard(key)) ? shard.unread() : shard);
        shards.values().forEach(shard -> byPartition.put(shard.partition, shard));
        checkpoints.keySet().removeIf(key -> storeShards.contains(storeShard(key)));
        owned.removeAll(storeShards);
        LOG.info("kinesis source: stream {} {} to another instance{}: {}", settings.describe(),
                lost ? "lost" : "given up", store.shards() == 1 ? "" : " (store shards " + storeShards + ")",
                reading.isEmpty() ? "no shard was being read" : "shards " + reading.stream()
                        .map(p -> p.topic() + "/" + p.partition()).toList());
    }

    /** The store shard that keeps a Kinesis shard's checkpoint: its number modulo the store's shard count. */
    private int storeShard(String key) {
        return Math.floorMod(number(key), store.shards());
    }

    private boolean owns(ShardState shard) {
        return owned.contains(storeShard(shard.key));
    }

    /** The checkpoints of a store shard's Kinesis shards as its one document. */
    private byte[] encoded(int storeShard) {
        Map<String, ShardCheckpoint> document = new HashMap<>();
        checkpoints.forEach((key, checkpoint) -> {
            if (storeShard(key) == storeShard) {
                document.put(key, checkpoint);
            }
        });
        return ShardCheckpoint.encodeAll(document);
    }

    /** The documents of the store shards that hold these keys, by store shard. */
    private Map<Integer, byte[]> documents(Collection<String> keys) {
        Map<Integer, byte[]> documents = new TreeMap<>();
        keys.forEach(key -> documents.computeIfAbsent(storeShard(key), this::encoded));
        return documents;
    }

    /** Saves the documents of the store shards that hold these keys. */
    private void save(Collection<String> keys) {
        store.saveAll(documents(keys));
    }

    /**
     * Lists the shards of each stream (every page), adds the new ones, reads where other instances are in the
     * parents of this instance's waiting shards, and starts those whose parents ended.
     */
    private void discover() {
        for (String stream : settings.streams()) {
            List<Shard> listed = listShards(stream);
            if (listed == null) {
                continue;
            }
            for (Shard listedShard : listed) {
                ShardState known = shards.get(key(stream, listedShard.shardId()));
                if (known == null) {
                    ShardState shard = ShardState.listed(stream, key(stream, listedShard.shardId()), listedShard,
                            parent -> key(stream, parent));
                    shards.put(shard.key, shard);
                    byPartition.put(shard.partition, shard);
                } else if (known.endingSequence == null) {
                    known.endingSequence = listedShard.sequenceNumberRange().endingSequenceNumber(); // closed since
                }
            }
        }
        listedOnce = true;
        readForeignParents();
        startReadyShards();
    }

    /** The checkpoints of the parents of waiting shards that other instances own, from their store shards. */
    private void readForeignParents() {
        Set<Integer> storeShards = new TreeSet<>();
        for (ShardState shard : shards.values()) {
            if (shard.state == ShardState.State.WAITING && owns(shard)) {
                shard.parents.stream().filter(parent -> !owned.contains(storeShard(parent))
                        && (foreign.get(parent) == null || !foreign.get(parent).ended()))
                        .forEach(parent -> storeShards.add(storeShard(parent)));
            }
        }
        for (int storeShard : storeShards) {
            ShardCheckpoint.decodeAll(store.peek(storeShard))
                    .forEach((key, checkpoint) -> foreign.put(keyOfStored(key), checkpoint));
        }
    }

    /** Every page of a stream's shards, or null when listing failed after the first time (tried again later). */
    private List<Shard> listShards(String stream) {
        List<Shard> listed = new ArrayList<>();
        try {
            String token = null;
            do {
                ListShardsRequest request = token == null
                        ? ListShardsRequest.builder().streamName(stream).build()
                        : ListShardsRequest.builder().nextToken(token).build();
                ListShardsResponse response = client.listShards(request);
                listed.addAll(response.shards());
                token = response.nextToken();
            } while (token != null);
            return listed;
        } catch (SdkException e) {
            if (!listedOnce) {
                throw new KsfException("kinesis source: cannot list the shards of stream " + stream + " at "
                        + endpoint + ": " + e.getMessage(), e);
            }
            LOG.warn("kinesis source: listing the shards of {} failed, trying again later: {}", stream,
                    e.getMessage());
            return null;
        }
    }

    /**
     * A shard's key in this source's maps and checkpoint: its id when the source reads one stream (so the checkpoints
     * of one stream read the same as ever), {@code stream/id} when it reads several. A checkpoint of one stream read
     * by a source of several is the first stream's.
     */
    private String key(String stream, String shardId) {
        return settings.streams().size() == 1 ? shardId : stream + "/" + shardId;
    }

    /** The key of a stored checkpoint: a shard id stored by a source of one stream is its first stream's now. */
    private String keyOfStored(String stored) {
        return settings.streams().size() > 1 && !stored.contains("/") ? key(settings.stream(), stored) : stored;
    }

    /** A shard's checkpoint, whichever instance owns it (as last read for another's), or null. */
    private ShardCheckpoint checkpointOf(String key) {
        return checkpoints.containsKey(key) ? checkpoints.get(key) : foreign.get(key);
    }

    /** Whether a parent of the shard was read by this source (it has a checkpoint): then it starts at the oldest. */
    private boolean readParents(ShardState shard) {
        return shard.parents.stream().anyMatch(parent -> checkpointOf(parent) != null);
    }

    /**
     * With {@code LATEST}, a shard closed before any instance read it, and whose parents were not read either,
     * holds nothing new: it is skipped. Every instance comes to the same answer, since a shard read at LATEST gets a
     * checkpoint before its first read.
     */
    private boolean skippedAtLatest(ShardState shard) {
        return settings.initialPosition() == InitialPosition.LATEST && shard.endingSequence != null
                && checkpointOf(shard.key) == null && !readParents(shard);
    }

    /** Starts this instance's waiting shards whose parents ended (again while one ends, for its children). */
    private void startReadyShards() {
        List<SourcePartition> started = new ArrayList<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (ShardState shard : shards.values()) {
                if (shard.state != ShardState.State.WAITING || !owns(shard)
                        || !shard.parents.stream().allMatch(this::ended)) {
                    continue;
                }
                ShardCheckpoint checkpoint = checkpoints.get(shard.key);
                if (checkpoint != null && checkpoint.ended() || skippedAtLatest(shard)) {
                    shard.state = ShardState.State.ENDED;
                    changed = true;
                    continue;
                }
                start(shard);
                if (shard.state == ShardState.State.READING) {
                    started.add(shard.partition);
                }
            }
        }
        if (!started.isEmpty()) {
            context.assigned(started);
        }
    }

    /**
     * A parent that has ended (by its checkpoint when another instance owns it), was skipped at LATEST, or is gone
     * from the listing (past the retention).
     */
    private boolean ended(String parentKey) {
        ShardState parent = shards.get(parentKey);
        if (parent == null) {
            return true;
        }
        if (owns(parent)) {
            return parent.state == ShardState.State.ENDED;
        }
        ShardCheckpoint checkpoint = foreign.get(parentKey);
        return checkpoint != null ? checkpoint.ended() : skippedAtLatest(parent);
    }

    private void start(ShardState shard) {
        ShardCheckpoint checkpoint = checkpoints.get(shard.key);
        shard.delivered = checkpoint == null ? 0 : checkpoint.next();
        shard.committed = shard.delivered;
        if (checkpoint != null && checkpoint.sequence() != null && checkpoint.subSequence() != null) {
            // inside a KPL aggregate: read it again and skip its user records that are durable
            shard.startType = ShardIteratorType.AT_SEQUENCE_NUMBER;
            shard.startSequence = checkpoint.sequence();
            shard.skipSequence = checkpoint.sequence();
            shard.skipThrough = checkpoint.subSequence();
        } else if (checkpoint != null && checkpoint.sequence() != null) {
            if (checkpoint.sequence().equals(shard.endingSequence)) {
                shard.state = ShardState.State.DRAINED; // closed, and its last record is durable
                return;
            }
            shard.startType = ShardIteratorType.AFTER_SEQUENCE_NUMBER;
            shard.startSequence = checkpoint.sequence();
        } else if (!shard.parents.isEmpty() || settings.initialPosition() == InitialPosition.TRIM_HORIZON
                || readParents(shard)) {
            shard.startType = ShardIteratorType.TRIM_HORIZON; // children start at their oldest record
        } else if (settings.initialPosition() == InitialPosition.LATEST) {
            shard.startType = ShardIteratorType.LATEST;
            if (checkpoint == null) { // read from now on: so every instance knows it is not skipped
                checkpoints.put(shard.key, new ShardCheckpoint(null, 0, false));
                save(List.of(shard.key));
            }
        } else {
            shard.startType = ShardIteratorType.AT_TIMESTAMP;
        }
        shard.state = ShardState.State.READING;
        if (asyncClient == null) {
            shard.iterator = iterator(shard); // fan-out subscribes from the poll loop, where failures back off
        }
        LOG.info("kinesis source: {} shard {} (partition {}) from {}{}, offset {}", shard.stream, shard.id,
                shard.partition.partition(), shard.startType, shard.startSequence == null ? ""
                        : " " + shard.startSequence, shard.delivered);
    }

    /** A new iterator: after the last record handed out, else at the shard's start. */
    private String iterator(ShardState shard) {
        GetShardIteratorRequest.Builder request = GetShardIteratorRequest.builder().streamName(shard.stream)
                .shardId(shard.id);
        if (shard.lastDelivered != null) {
            request.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                    .startingSequenceNumber(shard.lastDelivered);
        } else {
            request.shardIteratorType(shard.startType);
            if (shard.startType == ShardIteratorType.AFTER_SEQUENCE_NUMBER
                    || shard.startType == ShardIteratorType.AT_SEQUENCE_NUMBER) {
                request.startingSequenceNumber(shard.startSequence);
            } else if (shard.startType == ShardIteratorType.AT_TIMESTAMP) {
                request.timestamp(settings.initialTimestamp());
            }
        }
        try {
            return client.getShardIterator(request.build()).shardIterator();
        } catch (InvalidArgumentException e) {
            if (shard.endingSequence != null) {
                return null; // after the last record of a closed shard: nothing left
            }
            throw new KsfException("kinesis source: shard " + shard.id + " of " + shard.stream
                    + " refused its position: " + e.getMessage(), e);
        }
    }

    @Override
    public List<KsfRecord> poll(Duration timeout) {
        store.poll();
        if (owned.isEmpty()) {
            pause(timeout); // another instance reads the stream
            woken = false;
            return List.of();
        }
        endDrainedShards();
        long now = System.nanoTime();
        if (now - nextDiscoveryNanos >= 0) {
            nextDiscoveryNanos = now + settings.discoveryInterval().toNanos();
            discover();
        }
        long deadline = now + timeout.toNanos();
        List<KsfRecord> batch = new ArrayList<>();
        while (true) {
            long earliest = deadline;
            for (ShardState shard : shards.values()) {
                if (shard.state != ShardState.State.READING || shard.paused) {
                    continue;
                }
                if (asyncClient != null) {
                    if (batch.size() < settings.maxPollRecords()) {
                        receive(shard, batch);
                    }
                    if (shard.subscription == null) {
                        earliest = Math.min(earliest, shard.nextReadNanos); // backing off; else events wake us
                    }
                    continue;
                }
                if (System.nanoTime() - shard.nextReadNanos >= 0 && batch.size() < settings.maxPollRecords()) {
                    read(shard, batch);
                }
                earliest = Math.min(earliest, shard.nextReadNanos);
            }
            now = System.nanoTime();
            if (!batch.isEmpty() || woken || now - deadline >= 0 || shards.values().stream()
                    .anyMatch(s -> s.state == ShardState.State.DRAINED)) {
                break;
            }
            if (!pause(Duration.ofNanos(Math.max(1_000_000, Math.min(earliest, deadline) - now)))) {
                break;
            }
        }
        woken = false;
        return batch;
    }

    /** Waits, or less on a wakeup or a fan-out event; false when interrupted. */
    private boolean pause(Duration time) {
        synchronized (wait) {
            try {
                if (!woken && !arrived) {
                    wait.wait(Math.max(1, time.toMillis()));
                }
                arrived = false;
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private void read(ShardState shard, List<KsfRecord> batch) {
        long now = System.nanoTime();
        try {
            GetRecordsResponse response = client.getRecords(b -> b.shardIterator(shard.iterator)
                    .limit(settings.maxRecords()));
            shard.backoffNanos = 0;
            for (Record record : response.records()) {
                handOut(shard, record, batch);
                shard.lastDelivered = record.sequenceNumber();
            }
            shard.iterator = response.nextShardIterator();
            shard.nextReadNanos = now + (long) (1e9 / settings.readsPerSecond());
            if (shard.iterator == null) {
                shard.state = ShardState.State.DRAINED; // closed and read to its end: its children wait for its commit
                LOG.info("kinesis source: {} shard {} read to its end ({} records); children start once they are "
                        + "durable", shard.stream, shard.id, shard.delivered);
            }
        } catch (ExpiredIteratorException e) {
            LOG.info("kinesis source: the iterator of shard {} expired; getting a new one", shard.id);
            shard.iterator = iterator(shard);
            if (shard.iterator == null) {
                shard.state = ShardState.State.DRAINED;
            }
        } catch (ProvisionedThroughputExceededException | LimitExceededException | KmsThrottlingException e) {
            backOff(shard, now, "throttled");
        } catch (SdkException e) {
            backOff(shard, now, e.getMessage());
        }
    }

    /** A Kinesis record as KSF records: itself, or the user records of a KPL aggregate. */
    private void handOut(ShardState shard, Record record, List<KsfRecord> batch) {
        String sequence = record.sequenceNumber();
        Instant arrived = record.approximateArrivalTimestamp();
        long timestamp = arrived == null ? System.currentTimeMillis() : arrived.toEpochMilli();
        byte[] data = record.data().asByteArray();
        long skipThrough = sequence.equals(shard.skipSequence) ? shard.skipThrough : -1;
        shard.skipSequence = null;
        if (KplAggregate.isAggregate(data)) {
            try {
                List<KplAggregate.UserRecord> users = KplAggregate.split(data);
                for (int i = (int) skipThrough + 1; i < users.size(); i++) {
                    KplAggregate.UserRecord user = users.get(i);
                    long offset = shard.delivered++;
                    shard.sequences.put(offset, new ShardState.Position(sequence, i, i == users.size() - 1));
                    List<Header> headers = new ArrayList<>(4);
                    headers.add(Header.of(SEQUENCE_HEADER, sequence));
                    headers.add(Header.of(SUB_SEQUENCE_HEADER, Integer.toString(i)));
                    headers.add(Header.of(SHARD_HEADER, shard.id));
                    if (user.explicitHashKey() != null) {
                        headers.add(Header.of(EXPLICIT_HASH_KEY_HEADER, user.explicitHashKey()));
                    }
                    batch.add(KsfRecord.of(shard.stream, shard.partition.partition(), offset, timestamp,
                            user.partitionKey().getBytes(StandardCharsets.UTF_8), user.data(), headers));
                }
                return;
            } catch (KplAggregate.CorruptException e) {
                KsfRecord whole = wholeRecord(shard, record, timestamp, data);
                batch.add(whole.refused("kinesis source: " + e.getMessage() + " (record " + sequence + " of shard "
                        + shard.id + ")"));
                return;
            }
        }
        batch.add(wholeRecord(shard, record, timestamp, data));
    }

    private KsfRecord wholeRecord(ShardState shard, Record record, long timestamp, byte[] data) {
        long offset = shard.delivered++;
        shard.sequences.put(offset, new ShardState.Position(record.sequenceNumber(), 0, true));
        return KsfRecord.of(shard.stream, shard.partition.partition(), offset, timestamp,
                record.partitionKey() == null ? null : record.partitionKey().getBytes(StandardCharsets.UTF_8), data,
                List.of(Header.of(SEQUENCE_HEADER, record.sequenceNumber()), Header.of(SHARD_HEADER, shard.id)));
    }

    /**
     * Fan-out: takes the events that arrived for the shard, renews its subscription when it is due or ended, and
     * subscribes again after a failure once the backoff has passed.
     */
    private void receive(ShardState shard, List<KsfRecord> batch) {
        long now = System.nanoTime();
        ShardSubscription subscription = shard.subscription;
        if (subscription == null) {
            if (now - shard.nextReadNanos >= 0) {
                shard.subscription = subscribe(shard);
            }
            return;
        }
        if (subscription.ageNanos() > settings.fanOut().renewal().toNanos()) {
            unsubscribe(shard); // renewed at the next pass after a moment, once the server has let it go
            shard.nextReadNanos = now + RENEWAL_PAUSE.toNanos();
            return;
        }
        SubscribeToShardEvent event;
        while (batch.size() < settings.maxPollRecords() && (event = subscription.next()) != null) {
            for (Record record : event.records()) {
                handOut(shard, record, batch);
                shard.lastDelivered = record.sequenceNumber();
            }
            shard.continuation = event.continuationSequenceNumber();
            shard.backoffNanos = 0;
            if (atEnd(shard, event)) {
                unsubscribe(shard);
                shard.state = ShardState.State.DRAINED; // its end: children start once its records are durable
                LOG.info("kinesis source: {} shard {} read to its end ({} records); children start once they are "
                        + "durable", shard.stream, shard.id, shard.delivered);
                return;
            }
        }
        if (subscription.finished()) {
            shard.subscription = null;
            Throwable failure = subscription.failure();
            if (failure instanceof ResourceInUseException) {
                backOff(shard, now, "the shard's subscription is still held (another instance's, or the last one)");
            } else if (failure instanceof ProvisionedThroughputExceededException
                    || failure instanceof LimitExceededException) {
                backOff(shard, now, "throttled");
            } else if (failure != null) {
                backOff(shard, now, failure.toString());
            }
            // ended without a failure (after 5 minutes): subscribed again at the next pass
        }
    }

    /**
     * Whether the event is the shard's last: Kinesis says so with its children and no continuation; a server that
     * goes on with empty events is at the end once the continuation reaches the closed shard's last sequence number.
     */
    private static boolean atEnd(ShardState shard, SubscribeToShardEvent event) {
        if (event.continuationSequenceNumber() == null || event.hasChildShards() && !event.childShards().isEmpty()) {
            return true;
        }
        return shard.endingSequence != null && new BigInteger(event.continuationSequenceNumber())
                .compareTo(new BigInteger(shard.endingSequence)) >= 0;
    }

    /** A fan-out subscription to the shard, from after the last event taken, else from where the shard starts. */
    private ShardSubscription subscribe(ShardState shard) {
        StartingPosition.Builder position = StartingPosition.builder();
        String after = shard.continuation != null ? shard.continuation : shard.lastDelivered;
        if (after != null) {
            position.type(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(after);
        } else {
            position.type(shard.startType);
            if (shard.startType == ShardIteratorType.AFTER_SEQUENCE_NUMBER
                    || shard.startType == ShardIteratorType.AT_SEQUENCE_NUMBER) {
                position.sequenceNumber(shard.startSequence);
            } else if (shard.startType == ShardIteratorType.AT_TIMESTAMP) {
                position.timestamp(settings.initialTimestamp());
            }
        }
        ShardSubscription subscription = new ShardSubscription(this::arrived);
        SubscribeToShardRequest request = SubscribeToShardRequest.builder().consumerARN(consumerArn(shard.stream))
                .shardId(shard.id).startingPosition(position.build()).build();
        asyncClient.subscribeToShard(request, SubscribeToShardResponseHandler.builder()
                        .subscriber(() -> subscription).onError(subscription::fail).build())
                .whenComplete((done, error) -> {
                    if (error != null) {
                        subscription.fail(error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error);
                    }
                });
        subscriptions++;
        LOG.debug("kinesis source: {} shard {} subscribed from {}", shard.stream, shard.id, position.build());
        return subscription;
    }

    private void unsubscribe(ShardState shard) {
        if (shard.subscription != null) {
            shard.subscription.cancel();
            shard.subscription = null;
        }
    }

    /** Called on the SDK's threads: an event arrived, so the poll loop looks again. */
    private void arrived() {
        arrived = true;
        synchronized (wait) {
            wait.notifyAll();
        }
    }

    /** How many fan-out subscriptions were made, renewals included. */
    int subscriptions() {
        return subscriptions;
    }

    /** The ARN of the stream's fan-out consumer, registered when it is not yet; waits until it is active. */
    private String consumerArn(String stream) {
        return consumerArns.computeIfAbsent(stream, this::registerConsumer);
    }

    private String registerConsumer(String stream) {
        String name = settings.fanOut().consumerName();
        try {
            String streamArn = client.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary()
                    .streamARN();
            try {
                client.describeStreamConsumer(b -> b.streamARN(streamArn).consumerName(name));
            } catch (ResourceNotFoundException e) {
                try {
                    client.registerStreamConsumer(b -> b.streamARN(streamArn).consumerName(name));
                    LOG.info("kinesis source: registered the fan-out consumer {} with stream {}", name, stream);
                } catch (ResourceInUseException raced) {
                    // another instance registered it a moment ago
                }
            }
            long deadline = System.nanoTime() + CONSUMER_ACTIVE_TIMEOUT.toNanos();
            while (true) {
                ConsumerDescription consumer = client.describeStreamConsumer(b -> b.streamARN(streamArn)
                        .consumerName(name)).consumerDescription();
                if (consumer.consumerStatus() == ConsumerStatus.ACTIVE) {
                    return consumer.consumerARN();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new KsfException("kinesis source: the fan-out consumer " + name + " of stream " + stream
                            + " is still " + consumer.consumerStatus() + " after " + CONSUMER_ACTIVE_TIMEOUT);
                }
                Thread.sleep(500);
            }
        } catch (SdkException e) {
            throw new KsfException("kinesis source: cannot register the fan-out consumer " + name + " with stream "
                    + stream + " at " + endpoint + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KsfException("kinesis source: interrupted while registering the fan-out consumer " + name, e);
        }
    }

    private void backOff(ShardState shard, long now, String why) {
        long base = (long) (1e9 / settings.readsPerSecond());
        shard.backoffNanos = Math.min(MAX_BACKOFF_NANOS, shard.backoffNanos == 0 ? 2 * base : 2 * shard.backoffNanos);
        shard.nextReadNanos = now + shard.backoffNanos;
        LOG.warn("kinesis source: reading shard {} of {} failed ({}); next try in {} ms", shard.id, shard.stream,
                why, shard.backoffNanos / 1_000_000);
    }

    /**
     * A shard read to its end: the runtime flushes and commits its records (a revocation), then it is checkpointed
     * as ended and its children start.
     */
    private void endDrainedShards() {
        for (ShardState shard : List.copyOf(shards.values())) {
            if (shard.state != ShardState.State.DRAINED) {
                continue;
            }
            if (shard.committed < shard.delivered) {
                context.revoked(List.of(shard.partition));
            }
            if (shard.committed == shard.delivered) {
                shard.state = ShardState.State.ENDED;
                ShardCheckpoint previous = checkpoints.get(shard.key);
                ShardCheckpoint ended = new ShardCheckpoint(previous == null ? null : previous.sequence(),
                        shard.committed, true);
                checkpoints.put(shard.key, ended);
                save(List.of(shard.key));
                LOG.info("kinesis source: {} shard {} ended after {} records", shard.stream, shard.id,
                        shard.committed);
                startReadyShards();
            }
        }
    }

    /** The checkpoints that these positions make: only this instance's shards that moved on. */
    private Map<String, ShardCheckpoint> apply(Positions positions) {
        Map<String, ShardCheckpoint> changed = new HashMap<>();
        positions.asMap().forEach((tp, next) -> {
            ShardState shard = byPartition.get(tp);
            if (shard == null || next <= shard.committed) {
                return;
            }
            ShardState.Position last = shard.sequences.get(next - 1);
            shard.sequences.headMap(next).clear();
            shard.committed = next;
            ShardCheckpoint checkpoint = new ShardCheckpoint(last.sequence(), next, false,
                    last.last() ? null : last.subSequence());
            checkpoints.put(shard.key, checkpoint);
            changed.put(shard.key, checkpoint);
        });
        return changed;
    }

    @Override
    public void commit(Positions positions) {
        Map<String, ShardCheckpoint> changed = apply(positions);
        if (!changed.isEmpty()) {
            save(changed.keySet());
        }
    }

    @Override
    public Positions resumePositions(Collection<SourcePartition> partitions) {
        Map<SourcePartition, Long> next = new HashMap<>();
        for (SourcePartition partition : partitions) {
            ShardState shard = byPartition.get(partition);
            if (shard != null) {
                next.put(partition, shard.committed);
            }
        }
        return Positions.of(next);
    }

    @Override
    public List<Check> check(Duration timeout, boolean probeWrite) {
        List<Check> checks = new ArrayList<>();
        for (String stream : settings.streams()) {
            try {
                client.listShards(b -> b.streamName(stream));
                checks.add(Check.passed("stream " + stream, "shards listed"));
            } catch (SdkException e) {
                checks.add(Check.failed("stream " + stream, "cannot list its shards at " + endpoint + ": "
                        + e.getMessage()));
            }
        }
        return checks;
    }

    @Override
    public void pause(Collection<SourcePartition> partitions) {
        partitions.forEach(p -> setPaused(p, true));
    }

    @Override
    public void resume(Collection<SourcePartition> partitions) {
        partitions.forEach(p -> setPaused(p, false));
    }

    private void setPaused(SourcePartition partition, boolean paused) {
        ShardState shard = byPartition.get(partition);
        if (shard != null) {
            shard.paused = paused;
        }
    }

    @Override
    public void wakeup() {
        woken = true;
        synchronized (wait) {
            wait.notifyAll();
        }
    }

    /** The documents of the store shards whose checkpoints these positions change. */
    @Override
    public Map<Integer, byte[]> checkpoints(Positions positions) {
        return documents(apply(positions).keySet());
    }

    @Override
    public CheckpointStore checkpointStore() {
        return store;
    }

    /** The number of a shard id such as {@code shardId-000000000003}: the partition of its records. */
    static int number(String shardId) {
        try {
            return Integer.parseInt(shardId.substring(shardId.lastIndexOf('-') + 1));
        } catch (NumberFormatException e) {
            throw new KsfException("kinesis source: unexpected shard id " + shardId
                    + " (expected shardId-<number>)", e);
        }
    }

    @Override
    public void close() {
        shards.values().forEach(this::unsubscribe);
        try {
            store.close();
        } finally {
            client.close();
            if (asyncClient != null) {
                asyncClient.close();
            }
        }
    }
}
