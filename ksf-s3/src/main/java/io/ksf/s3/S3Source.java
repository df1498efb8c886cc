package io.ksf.s3;

import io.ksf.checkpoint.CheckpointStore;
import io.ksf.checkpoint.CheckpointStoreFactory;
import io.ksf.checkpoint.CheckpointedSource;
import io.ksf.checkpoint.FileCheckpointStore;
import io.ksf.spi.Check;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.RetriableException;
import io.ksf.spi.Source;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsLag;
import io.ksf.spi.SupportsResumePositions;
import io.ksf.spi.SupportsServerCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Objects under a bucket and prefix become records, in key order, one object at a time. Each object (each content
 * under a key) is a partition: topic = the key, partition = its generation, offset = a byte position (see
 * {@link ObjectCursor}). New objects are found by listing the prefix after the frontier, every poll interval, less
 * often while nothing is new. What is durable is kept in a {@link CheckpointStore} on each commit; after a restart
 * reading resumes at the exact byte, and finished objects are not read again.
 */
public final class S3Source
        implements Source, SupportsResumePositions, SupportsLag, SupportsServerCheck, CheckpointedSource {
    /** The header that names the bucket of every record; the topic is the object's key, the offset a byte. */
    public static final String BUCKET_HEADER = "ksf.s3.bucket";
    private static final Logger LOG = LoggerFactory.getLogger(S3Source.class);

    /** How objects become records. */
    public enum Records {
        /** One record per line; blank lines are skipped. */
        LINES,
        /** One record per object. */
        WHOLE,
        /**
         * One record per line after the first, which is the object's header row: every record carries it (header
         * {@code ksf.csv.header}), so the {@code csv} format names the fields by it. Rows may not hold line breaks.
         */
        CSV
    }

    /**
     * How the source finds and reads objects.
     *
     * @param bucket          the bucket
     * @param prefix          only keys that start with it ("" for all)
     * @param keyPattern      only keys that match it whole, or null for all
     * @param records         lines or whole objects
     * @param maxRecordBytes  a longer line or object goes to the dead letters with its first bytes
     * @param pollInterval    how often the prefix is listed while objects arrive
     * @param maxPollInterval the longest interval, reached by doubling while nothing is new
     * @param lookback        finished keys remembered before the smallest are forgotten and listings start after
     * @param maxPollRecords  records per poll
     */
    public record Settings(String bucket, String prefix, Pattern keyPattern, Records records,
                           int maxRecordBytes, Duration pollInterval, Duration maxPollInterval, int lookback,
                           int maxPollRecords) {
    }

    private final S3Client client;
    private final Settings settings;
    private final CheckpointStore store;
    private final Object signal = new Object();
    private SourceContext context;
    /** The checkpoints of the shards this instance owns, by shard. */
    private final Map<Integer, Checkpoint> owned = new TreeMap<>();
    /** Objects handed to the runtime as partitions and not given up yet. */
    private final Set<SourcePartition> assigned = new HashSet<>();
    /** The object being read, and its key. */
    private ObjectCursor cursor;
    private String cursorKey;
    /** Objects read to their end: the position just past their last record, or finished when none was returned. */
    private final Map<SourcePartition, Long> endOf = new HashMap<>();
    /** Finished and durable: given up to the runtime at the next poll. */
    private final List<SourcePartition> toRevoke = new ArrayList<>();
    private long nextListingNanos;
    private Duration interval;
    private volatile boolean woken;
    private final Set<SourcePartition> paused = new HashSet<>();

    /** A source that keeps its checkpoint in an object of the bucket, written with conditional writes. */
    public static S3Source withS3Checkpoint(S3Client client, Settings settings, String checkpointKey) {
        return new S3Source(client, settings, new S3CheckpointStore(client, settings.bucket(), checkpointKey));
    }

    /**
     * A source whose checkpoints live in a compacted Kafka topic, one partition per shard, and whose instances
     * share the objects through a consumer group on that topic (created when missing).
     *
     * @param kafka  Kafka client properties, {@code bootstrap.servers} at least
     * @param shards the topic's partitions: the most instances that can share the objects
     */
    public static S3Source withKafkaCheckpoints(S3Client client, Settings settings, Properties kafka, String topic,
                                                int shards, String group) {
        return new S3Source(client, settings, CheckpointStoreFactory.create("kafka", kafka, topic, shards, group));
    }

    /** A source that keeps its checkpoint in a local file, for local runs. */
    public static S3Source withFileCheckpoint(S3Client client, Settings settings, Path checkpointFile) {
        return new S3Source(client, settings, new FileCheckpointStore(checkpointFile));
    }

    /** @param store where the checkpoint is kept; the source closes it, and the client */
    S3Source(S3Client client, Settings settings, CheckpointStore store) {
        this.client = client;
        this.settings = settings;
        this.store = store;
        this.interval = settings.pollInterval();
    }

    @Override
    public void open(SourceContext context) {
        this.context = context;
        store.open(new CheckpointStore.ShardListener() {
            @Override
            public void onAssigned(Set<Integer> shards) {
                assignShards(shards);
            }

            @Override
            public void onRevoked(Set<Integer> shards) {
                revokeShards(shards, false);
            }

            @Override
            public void onLost(Set<Integer> shards) {
                revokeShards(shards, true);
            }
        });
    }

    private void assignShards(Set<Integer> shards) {
        for (int shard : shards) {
            Checkpoint checkpoint = Checkpoint.decode(store.load(shard), store.describe() + " shard " + shard);
            owned.put(shard, checkpoint);
            LOG.info("s3 source: s3://{}/{} shard {}; checkpoint {} knows {} objects{}", settings.bucket(),
                    settings.prefix(), shard, store.describe(), checkpoint.objects().size(),
                    checkpoint.frontier() == null ? "" : ", listing after " + checkpoint.frontier());
        }
        nextListingNanos = System.nanoTime();
    }

    /**
     * Gives the shards' objects up to the runtime, which flushes and commits them (or, when they are lost already,
     * drops what it holds of them), then forgets the shards.
     */
    private void revokeShards(Set<Integer> shards, boolean lost) {
        List<SourcePartition> mine = assigned.stream().filter(p -> shards.contains(shardOf(p.topic()))).toList();
        if (!mine.isEmpty()) {
            if (lost) {
                context.lost(mine);
            } else {
                context.revoked(mine);
            }
            mine.forEach(assigned::remove);
        }
        if (cursorKey != null && shards.contains(shardOf(cursorKey))) {
            closeCursor();
        }
        endOf.keySet().removeIf(p -> shards.contains(shardOf(p.topic())));
        toRevoke.removeIf(p -> shards.contains(shardOf(p.topic())));
        shards.forEach(owned::remove);
        LOG.info("s3 source: shards {} given up", shards);
    }

    private int shardOf(String key) {
        return Math.floorMod(key.hashCode(), store.shards());
    }

    /** What is known of the object under this key, or null when it is unknown or of a shard not owned. */
    private ObjectProgress progress(String key) {
        Checkpoint checkpoint = owned.get(shardOf(key));
        return checkpoint == null ? null : checkpoint.objects().get(key);
    }

    private void put(String key, ObjectProgress object) {
        owned.get(shardOf(key)).objects().put(key, object);
    }

    @Override
    public List<KsfRecord> poll(Duration timeout) {
        store.poll();
        if (!toRevoke.isEmpty()) {
            List<SourcePartition> done = List.copyOf(toRevoke);
            toRevoke.clear();
            context.revoked(done);
            done.forEach(assigned::remove);
        }
        List<KsfRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.isEmpty() && !woken) {
            if (cursor == null && !startNextObject()) {
                if (System.nanoTime() - nextListingNanos >= 0) {
                    list();
                    continue;
                }
                long wait = Math.min(deadline, nextListingNanos) - System.nanoTime();
                if (wait <= 0 || System.nanoTime() - deadline >= 0) {
                    break;
                }
                sleep(wait);
                continue;
            }
            if (paused.contains(new SourcePartition(cursorKey, progress(cursorKey).generation()))) {
                sleep(Math.max(0, deadline - System.nanoTime()));
                break;
            }
            read(out);
        }
        woken = false;
        return out;
    }

    private void read(List<KsfRecord> out) {
        ObjectProgress object = progress(cursorKey);
        SourcePartition partition = new SourcePartition(cursorKey, object.generation());
        try {
            cursor.read(settings.maxPollRecords(), out);
        } catch (ObjectCursor.ObjectChangedException e) {
            LOG.info("s3 source: {} was overwritten or deleted while it was read; what the next listing shows of it "
                    + "is read then", cursorKey);
            finish(cursorKey, object); // this content is gone: a new one under the key is a new generation
            closeCursor();
            nextListingNanos = System.nanoTime();
            return;
        } catch (RetriableException e) {
            LOG.warn("s3 source: {}; reading again in {}", e.getMessage(), settings.pollInterval());
            sleep(settings.pollInterval().toNanos());
            return;
        }
        if (cursor.ended()) {
            if (cursor.returnedAny()) {
                endOf.put(partition, cursor.afterLastRecord());
            } else {
                finish(cursorKey, object);
            }
            closeCursor();
        }
    }

    /** Opens the first unfinished object (in key order) not read to its end yet; false when there is none. */
    private boolean startNextObject() {
        String first = null;
        for (Checkpoint checkpoint : owned.values()) {
            for (Map.Entry<String, ObjectProgress> entry : checkpoint.objects().entrySet()) {
                ObjectProgress object = entry.getValue();
                if (!object.finished() && !endOf.containsKey(new SourcePartition(entry.getKey(), object.generation()))) {
                    if (first == null || entry.getKey().compareTo(first) < 0) {
                        first = entry.getKey();
                    }
                    break;
                }
            }
        }
        if (first == null) {
            return false;
        }
        ObjectProgress object = progress(first);
        cursorKey = first;
        cursor = new ObjectCursor(client, settings.bucket(), cursorKey, object, settings.records(),
                settings.maxRecordBytes());
        SourcePartition partition = new SourcePartition(first, object.generation());
        if (assigned.add(partition)) {
            context.assigned(List.of(partition));
        }
        return true;
    }

    private void closeCursor() {
        if (cursor != null) {
            cursor.close();
        }
        cursor = null;
        cursorKey = null;
    }

    /** Lists the prefix after the frontier; a new key or a new ETag under a known key is an object to read. */
    private void list() {
        int found = 0;
        try {
            if (owned.isEmpty()) {
                nextListingNanos = System.nanoTime() + interval.toNanos();
                return;
            }
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(settings.bucket())
                    .prefix(settings.prefix()).startAfter(frontier());
            for (S3Object listed : client.listObjectsV2Paginator(request.build()).contents()) {
                if (accepts(listed.key()) && discovered(listed)) {
                    found++;
                }
            }
        } catch (SdkException e) {
            LOG.warn("s3 source: listing s3://{}/{} failed: {}; trying again in {}", settings.bucket(),
                    settings.prefix(), e.getMessage(), interval);
        }
        if (found > 0) {
            LOG.info("s3 source: {} new objects under s3://{}/{}", found, settings.bucket(), settings.prefix());
            interval = settings.pollInterval();
        } else {
            interval = interval.multipliedBy(2).compareTo(settings.maxPollInterval()) > 0
                    ? settings.maxPollInterval() : interval.multipliedBy(2);
        }
        nextListingNanos = System.nanoTime() + (found > 0 ? 0 : interval.toNanos());
    }

    /** Listings start after the smallest frontier of the shards owned. */
    private String frontier() {
        String smallest = null;
        for (Checkpoint checkpoint : owned.values()) {
            if (checkpoint.frontier() == null) {
                return null;
            }
            smallest = smallest == null || checkpoint.frontier().compareTo(smallest) < 0 ? checkpoint.frontier()
                    : smallest;
        }
        return smallest;
    }

    private boolean accepts(String key) {
        Checkpoint checkpoint = owned.get(shardOf(key));
        return checkpoint != null && (checkpoint.frontier() == null || key.compareTo(checkpoint.frontier()) > 0)
                && !key.endsWith("/") && !key.startsWith(S3SourceFactory.STATE_FOLDER) && (settings.keyPattern() == null || settings.keyPattern().matcher(key).matches());
    }

    private boolean discovered(S3Object listed) {
        if (listed.eTag() == null || listed.size() == null) {
            return false; // not a complete object (yet)
        }
        ObjectProgress known = progress(listed.key());
        if (known != null && listed.eTag().equals(known.etag())) {
            return false;
        }
        int generation = known == null ? 0 : known.generation() + 1;
        if (known != null) {
            LOG.info("s3 source: {} has new content (ETag {}); reading it as generation {}", listed.key(),
                    listed.eTag(), generation);
            if (listed.key().equals(cursorKey)) {
                closeCursor();
            }
        }
        put(listed.key(), ObjectProgress.discovered(listed.eTag(), listed.size(),
                listed.lastModified().toEpochMilli(), generation));
        return true;
    }

    private void finish(String key, ObjectProgress object) {
        put(key, object.done());
        toRevoke.add(new SourcePartition(key, object.generation()));
    }

    /** Keeps what is durable in the checkpoint store; an object whose last record is durable is finished. */
    @Override
    public void commit(Positions positions) {
        store.saveAll(checkpoints(positions));
    }

    /** Folds durable positions into the shards' checkpoints; returns those of the shards that changed. */
    Map<Integer, Checkpoint> apply(Positions positions) {
        Set<Integer> changed = new HashSet<>();
        positions.asMap().forEach((partition, next) -> {
            ObjectProgress object = progress(partition.topic());
            if (object == null || object.generation() != partition.partition()) {
                return; // content replaced meanwhile, or the shard given up: these positions no longer matter
            }
            Long end = endOf.get(partition);
            boolean gzip = partition.topic().endsWith(".gz");
            if (end != null && next >= end || !gzip && next >= object.size()) {
                endOf.remove(partition);
                finish(partition.topic(), object);
            } else {
                put(partition.topic(), object.durableUpTo(next));
            }
            changed.add(shardOf(partition.topic()));
        });
        Map<Integer, Checkpoint> saved = new TreeMap<>();
        for (int shard : changed) {
            Checkpoint checkpoint = owned.get(shard).forget(settings.lookback());
            owned.put(shard, checkpoint);
            saved.put(shard, checkpoint.copy());
        }
        return saved;
    }

    /** The checkpoints of the shards these positions change, encoded. */
    @Override
    public Map<Integer, byte[]> checkpoints(Positions positions) {
        Map<Integer, byte[]> encoded = new TreeMap<>();
        apply(positions).forEach((shard, checkpoint) -> encoded.put(shard, checkpoint.encode()));
        return encoded;
    }

    @Override
    public CheckpointStore checkpointStore() {
        return store;
    }

    @Override
    public Positions resumePositions(Collection<SourcePartition> partitions) {
        Map<SourcePartition, Long> resume = new HashMap<>();
        for (SourcePartition partition : partitions) {
            ObjectProgress object = progress(partition.topic());
            if (object != null && object.generation() == partition.partition()) {
                resume.put(partition, object.next());
            }
        }
        return Positions.of(resume);
    }

    /** Bytes not read yet of the object being read, and of every object waiting. */
    @Override
    public Map<SourcePartition, Long> lag() {
        Map<SourcePartition, Long> lag = new HashMap<>();
        owned.values().forEach(checkpoint -> checkpoint.objects().forEach((key, object) -> {
            SourcePartition partition = new SourcePartition(key, object.generation());
            if (key.equals(cursorKey)) {
                lag.put(partition, cursor.remaining());
            } else if (!object.finished() && !endOf.containsKey(partition)) {
                lag.put(partition, object.size() - object.next());
            }
        }));
        return lag;
    }

    @Override
    public List<Check> check(Duration timeout, boolean probeWrite) {
        try {
            client.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(settings.prefix()).maxKeys(1)
                    .overrideConfiguration(c -> c.apiCallTimeout(timeout)));
            return List.of(Check.passed("bucket " + settings.bucket(), "lists"));
        } catch (SdkException e) {
            return List.of(Check.failed("bucket " + settings.bucket(), "cannot list s3://" + settings.bucket() + "/"
                    + settings.prefix() + ": " + e.getMessage()));
        }
    }

    @Override
    public void pause(Collection<SourcePartition> partitions) {
        paused.addAll(partitions);
    }

    @Override
    public void resume(Collection<SourcePartition> partitions) {
        paused.removeAll(partitions);
    }

    @Override
    public void wakeup() {
        woken = true;
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void sleep(long nanos) {
        synchronized (signal) {
            if (woken) {
                return;
            }
            try {
                signal.wait(Math.max(1, nanos / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KsfException("interrupted while waiting for new objects", e);
            }
        }
    }

    @Override
    public void close() {
        closeCursor();
        try {
            store.close();
        } catch (Exception e) {
            LOG.warn("closing the checkpoint store failed: {}", e.toString());
        }
        client.close();
    }
}
