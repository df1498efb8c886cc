package io.ksf.s3;

import io.ksf.spi.Check;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.PendingFlush;
import io.ksf.spi.Positions;
import io.ksf.spi.RecordWriter;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsHeldMemory;
import io.ksf.spi.SupportsRecovery;
import io.ksf.spi.SupportsServerCheck;
import io.ksf.spi.Target;
import io.ksf.spi.TargetContext;
import io.ksf.support.HeldBytes;
import io.ksf.support.ObjectLayout;
import io.ksf.support.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Writes records to S3 objects named by {@link ObjectLayout} (with a partitioner's folder), so the same input
 * always gives the same keys and a replay overwrites instead of duplicating.
 *
 * <p>Records are encoded straight into a buffer per open object (optionally gzip- or zstd-compressed): memory up to the
 * part size while the staging memory lasts, a temporary file beyond ({@link StagedObject}). An object
 * is cut when it reaches {@code flushRecords} records or {@code flushBytes} bytes, and at every {@link #flush()}.
 * Objects up to the part size are one PUT; larger ones stream through a multipart upload, one part buffer at a
 * time. Throttling, 5xx and network errors are retried with backoff and jitter up to the retry time; after that
 * the flush fails and nothing is committed.
 */
public final class S3Target implements Target, SupportsRecovery, SupportsServerCheck, SupportsHeldMemory {
    private static final Logger LOG = LoggerFactory.getLogger(S3Target.class);

    /**
     * @param bucket       the bucket
     * @param prefix       prepended to every key, such as {@code curated/}
     * @param format       how records are encoded
     * @param partitioner  the folder of each record's object
     * @param flushRecords records per object before it is cut (0: only at flush)
     * @param flushBytes   encoded bytes per object before it is cut, with what the format still holds (a Parquet
     *                     row group); 0: only at flush
     * @param rotateInterval cut an object before a record whose timestamp is this far past the object's first
     *                     record (record time, so replays cut at the same places); zero: never
     * @param rotateSchedule cut objects that have been open this long on the wall clock, at the next write or
     *                     flush; zero: never
     * @param partSize     objects larger than this go through multipart upload, in parts of this size
     * @param stagingMemory bytes of open objects (each up to the part size) kept in memory before uploading;
     *                     beyond it objects are staged in temporary files
     * @param compression  how whole objects are compressed; keys end with its suffix ({@code .gz}, {@code .zst})
     * @param sse          server-side encryption: null, AES256 or aws:kms
     * @param kmsKeyId     the KMS key for aws:kms, or null for the bucket's default
     * @param retry        how S3 calls are retried
     */
    public record Settings(String bucket, String prefix, Format format, ObjectPartitioner partitioner,
                           int flushRecords, long flushBytes, Duration rotateInterval, Duration rotateSchedule,
                           long partSize, long stagingMemory, ObjectCompression compression, ServerSideEncryption sse, String kmsKeyId, Retry retry) {
    }

    private final S3Client client;
    private final Settings settings;
    private final S3Uploads uploads;
    private final Map<ObjectGroup, OpenObject> open = new LinkedHashMap<>();
    private TargetContext context = TargetContext.NONE;
    private final ExecutorService pool;
    /** Objects of started flushes not stored yet, deleted by {@link #close()} when a flush never completes. */
    private final Set<OpenObject> notStored = ConcurrentHashMap.newKeySet();
    /** A flush that failed: the next one completes it first. */
    private PendingFlush unfinished;
    private final Map<SourcePartition, Long> written = new HashMap<>();
    /** Staging memory left for open objects; beyond it they are staged in temporary files. */
    private final AtomicLong stagingMemoryLeft;
    private final HeldBytes held = new HeldBytes();

    private record ObjectGroup(SourcePartition partition, String path) {
    }

    /**
     * @param client   the S3 client, closed with the target
     * @param settings bucket, layout, format, cut and upload settings
     */
    public S3Target(S3Client client, Settings settings) {
        this(client, settings, 4);
    }

    /** @param parallelUploads how many objects a flush uploads at the same time */
    public S3Target(S3Client client, Settings settings, int parallelUploads) {
        this.client = client;
        this.settings = settings;
        this.uploads = new S3Uploads(client, settings);
        this.stagingMemoryLeft = new AtomicLong(settings.stagingMemory());
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(parallelUploads, task -> {
            Thread thread = new Thread(task, "ksf-s3-upload-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void write(List<KsfRecord> records) {
        for (KsfRecord record : records) {
            ObjectGroup group = new ObjectGroup(record.topicPartition(), settings.partitioner().path(record));
            OpenObject object = open.get(group);
            if (object != null && object.tooOldFor(record)) {
                open.remove(group);
                upload(object);
                object = null;
            }
            if (object == null) {
                object = new OpenObject(key(record, group.path()), record.timestamp());
                open.put(group, object);
            }
            written.merge(record.topicPartition(), record.offset() + 1, Math::max);
            try {
                object.write(record);
            } catch (InvalidRecordException e) {
                context.reject(record, e); // its position still counts: the dead letter keeps it
                if (object.records == 0) {
                    open.remove(group);
                    object.delete();
                }
                continue;
            }
            if (object.full()) {
                open.remove(group);
                upload(object);
            }
        }
        uploadObjectsOpenTooLong();
        countHeld();
    }

    private void countHeld() {
        held.recount(open.values().stream().map(object -> object.writer));
    }

    @Override
    public long heldBytes() {
        return held.get();
    }

    /** rotate.schedule: objects open longer than the schedule on the wall clock are stored now. */
    private void uploadObjectsOpenTooLong() {
        if (settings.rotateSchedule().isZero()) {
            return;
        }
        long now = System.nanoTime();
        Iterator<OpenObject> it = open.values().iterator();
        while (it.hasNext()) {
            OpenObject object = it.next();
            if (now - object.openedNanos >= settings.rotateSchedule().toNanos()) {
                upload(object);
                it.remove();
            }
        }
    }

    /**
     * Uploads every open object, up to {@code uploads} at a time. When an upload fails, the next flush first tries
     * the objects of this one again, and returns only once they are stored.
     */
    @Override
    public Positions flush() {
        if (unfinished == null) {
            unfinished = startFlush();
        }
        Positions durable = unfinished.await();
        unfinished = null;
        return durable;
    }

    /** Closes every open object and starts uploading them; records written from now on go to new objects. */
    @Override
    public PendingFlush startFlush() {
        Uploads uploads = new Uploads(List.copyOf(open.values()), Positions.of(written));
        open.clear();
        written.clear();
        held.clear();
        return uploads;
    }

    /** The uploads of one flush, on the pool; a failed one is submitted again when it is awaited again. */
    private final class Uploads implements PendingFlush {
        private final List<OpenObject> objects;
        private final List<Future<?>> uploading;
        private final Positions positions;

        Uploads(List<OpenObject> objects, Positions positions) {
            this.objects = objects;
            this.positions = positions;
            this.uploading = new ArrayList<>(objects.size());
            notStored.addAll(objects);
            for (OpenObject object : objects) {
                uploading.add(pool.submit(() -> upload(object)));
            }
        }

        @Override
        public boolean isDone() {
            return uploading.stream().allMatch(upload -> upload == null || upload.isDone());
        }

        @Override
        public Positions await() {
            for (int i = 0; i < objects.size(); i++) {
                OpenObject object = objects.get(i);
                if (uploading.get(i) == null) {
                    uploading.set(i, pool.submit(() -> upload(object)));
                }
            }
            RuntimeException failure = null;
            for (int i = 0; i < objects.size(); i++) {
                try {
                    uploading.get(i).get();
                } catch (ExecutionException e) {
                    uploading.set(i, null); // submitted again by the next await
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r
                                : new KsfException(e.getCause().getMessage(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KsfException("interrupted while uploading to s3://" + settings.bucket(), e);
                }
            }
            if (failure != null) {
                throw failure;
            }
            return positions;
        }
    }

    @Override
    public void open(TargetContext context) {
        this.context = context;
    }

    @Override
    public boolean takesUndecoded(Format sourceFormat) {
        return !settings.partitioner().readsData() && sourceFormat.name().equals(settings.format().name());
    }

    /** The bucket answers to these credentials; with a probe write, a small object is stored and removed. */
    @Override
    public List<Check> check(Duration timeout, boolean probeWrite) {
        String subject = "s3://" + settings.bucket() + "/" + settings.prefix();
        Consumer<software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration.Builder> within =
                o -> o.apiCallTimeout(timeout);
        try {
            client.headBucket(b -> b.bucket(settings.bucket()).overrideConfiguration(within));
            if (!probeWrite) {
                return List.of(Check.passed(subject, "the bucket exists and accepts the credentials"));
            }
            String key = settings.prefix() + "_ksf-check-" + UUID.randomUUID();
            client.putObject(uploads.put(key).toBuilder().overrideConfiguration(within).build(),
                    RequestBody.fromString("ksf check probe"));
            client.deleteObject(b -> b.bucket(settings.bucket()).key(key).overrideConfiguration(within));
            return List.of(Check.passed(subject, "the bucket takes a write (probe " + key
                    + " stored and removed)"));
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? "" : " " + e.awsErrorDetails().errorCode();
            String why = switch (e.statusCode()) {
                case 404 -> "the bucket does not exist";
                case 403 -> "access denied: the credentials may not " + (probeWrite ? "write to" : "use") + " it";
                case 301, 400 -> "the bucket is in another region, or the request is malformed";
                default -> "the store answered with an error";
            };
            return List.of(Check.failed(subject, why + " (" + e.statusCode() + code + ")"));
        } catch (SdkClientException e) {
            return List.of(Check.failed(subject, "cannot reach the S3 endpoint: " + e.getMessage()));
        }
    }

    /**
     * Deletes the objects that a crashed run stored at or past where the source resumes. With the partition
     * layout one listing of the partition's folder, starting after the resume offset, finds them. With a field or
     * time layout they may lie in any folder of the topic; there the runtime's one uncommitted generation per
     * partition already makes a replay rewrite the same names, unless objects are cut within a flush
     * (flush.records above 1, flush.bytes, rotate.*), and only then is the topic's whole folder listed.
     */
    @Override
    public void recover(Positions resumeAt) {
        boolean partitionsByData = settings.partitioner().readsData(); // a partition has objects in several folders
        if (partitionsByData && !cutsObjectsWithinAFlush()) {
            return;
        }
        resumeAt.asMap().forEach((partition, next) -> {
            String folder = partitionsByData ? settings.prefix() + partition.topic() + "/"
                    : ObjectLayout.directory(settings.prefix(), partition.topic(), partition.partition());
            String startAfter = partitionsByData ? null
                    : folder + ObjectLayout.fileNameStem(partition.topic(), partition.partition(), next);
            List<String> stale = new ArrayList<>();
            uploads.call("list s3://" + settings.bucket() + "/" + folder, () -> {
                stale.clear();
                client.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(folder).startAfter(startAfter))
                        .contents().forEach(object -> {
                            String name = object.key().substring(object.key().lastIndexOf('/') + 1);
                            if (ObjectLayout.firstOffset(name, partition.topic(), partition.partition()) >= next) {
                                stale.add(object.key());
                            }
                        });
                return null;
            });
            for (String key : stale) {
                LOG.info("deleting s3://{}/{}: stored past the resume position {} of {} by a run that did not "
                        + "commit it; the replay stores its records again", settings.bucket(), key, next, partition);
                uploads.call("DELETE s3://" + settings.bucket() + "/" + key,
                        () -> client.deleteObject(b -> b.bucket(settings.bucket()).key(key)));
            }
        });
    }

    private boolean cutsObjectsWithinAFlush() {
        return settings.flushRecords() > 1 || settings.flushBytes() > 0 || !settings.rotateInterval().isZero()
                || !settings.rotateSchedule().isZero();
    }

    @Override
    public void discard(Collection<SourcePartition> partitions) {
        open.entrySet().removeIf(entry -> {
            if (partitions.contains(entry.getKey().partition())) {
                entry.getValue().delete();
                return true;
            }
            return false;
        });
        written.keySet().removeAll(partitions);
        countHeld();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        open.values().forEach(OpenObject::delete);
        open.clear();
        notStored.forEach(OpenObject::delete);
        client.close();
    }

    private String key(KsfRecord first, String path) {
        String extension = settings.format().extension() + settings.compression().suffix();
        return settings.prefix() + first.topic() + "/" + path + "/"
                + ObjectLayout.fileName(first.topic(), first.partition(), first.offset(), extension);
    }

    private void upload(OpenObject object) {
        object.seal();
        long size = object.size();
        uploads.store(object.key, object.staged, size);
        LOG.debug("stored s3://{}/{} ({} records, {} bytes)", settings.bucket(), object.key, object.records, size);
        object.delete();
        notStored.remove(object);
    }

    /** One object being written: records encoded into memory or a temporary file ({@link StagedObject}). */
    private final class OpenObject {
        private final String key;
        private final StagedObject staged;
        private final CountingStream counted;
        /** The compressing stream into the staged object, or null. */
        private final OutputStream compressed;
        private final RecordWriter writer;
        private final long firstTimestamp;
        private final long openedNanos = System.nanoTime();
        private long records;
        private boolean sealed;

        OpenObject(String key, long firstTimestamp) {
            this.key = key;
            this.firstTimestamp = firstTimestamp;
            this.staged = new StagedObject(stagingMemoryLeft, settings.partSize());
            try {
                this.compressed = settings.compression().wrap(staged);
            } catch (IOException e) {
                throw new KsfException("cannot start the compressed stream of " + key + ": " + e.getMessage(), e);
            }
            this.counted = new CountingStream(compressed != null ? compressed : staged);
            this.writer = settings.format().writer(counted);
        }

        void write(KsfRecord record) {
            try {
                writer.write(record);
            } catch (IOException e) {
                throw new KsfException("cannot encode " + record.origin() + " for " + key + ": " + e.getMessage(), e);
            }
            records++;
        }

        /** rotate.interval: this record belongs to a later object, by record time. */
        boolean tooOldFor(KsfRecord record) {
            return !settings.rotateInterval().isZero()
                    && record.timestamp() - firstTimestamp >= settings.rotateInterval().toMillis();
        }

        boolean full() {
            return settings.flushRecords() > 0 && records >= settings.flushRecords()
                    || settings.flushBytes() > 0 && counted.count + writer.bufferedBytes() >= settings.flushBytes();
        }

        void seal() {
            if (sealed) {
                return;
            }
            try {
                writer.close();
                counted.flush();
                if (compressed != null) {
                    compressed.close(); // the frame's end; the staged object stays open
                }
                staged.close();
                sealed = true;
            } catch (IOException e) {
                throw new KsfException("cannot finish " + key + ": " + e.getMessage(), e);
            }
        }

        long size() {
            return staged.size();
        }

        void delete() {
            staged.release();
        }
    }

    /** Counts the encoded (uncompressed) bytes of an object, for flush.bytes. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush(); // the object's streams are closed by seal(), in order
        }
    }
}
