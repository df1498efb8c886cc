package io.ksf.s3;

import io.ksf.spi.Header;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RetriableException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads one object from a byte position as a stream (a ranged GET of the rest, with {@code If-Match} its ETag so
 * that content replaced meanwhile is not mixed in) and cuts it into records: one per line, or the whole object. A
 * record's offset is the position of its last byte, so the next record starts at offset + 1, which is where a
 * restart resumes. Lines are cut at byte 0x0A, which never occurs inside a multi-byte UTF-8 character; a trailing
 * CR is dropped, blank lines are skipped, and a line longer than the limit becomes a refused record (its first
 * bytes only) that the runtime sends to the dead letters. Gzip objects ({@code .gz}) cannot be read from the
 * middle: they are read from the start, and positions count uncompressed bytes.
 */
final class ObjectCursor implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    private final S3Client client;
    private final String bucket;
    private final String key;
    private final ObjectProgress object;
    private final S3Source.Records split;
    private final int maxRecordBytes;
    private final boolean gzip;
    private final byte[] chunk = new byte[CHUNK];
    private final ByteArrayOutputStream record = new ByteArrayOutputStream(256);
    private ResponseInputStream<GetObjectResponse> response;
    private InputStream in;
    private int chunkPos;
    private int chunkLen;
    /** Stream position of the next byte in the chunk. */
    private long position;
    /** Where the next record starts: just past the last record returned or blank line skipped. */
    private long next;
    private boolean overlong;
    private boolean ended;
    private boolean returnedAny;
    private long afterLastRecord;
    /** CSV: the object's header row, once read. */
    private Header csvHeader;
    /** Every record names the bucket it came from; topic, partition and offset name the object and the byte. */
    private final Header bucketHeader;

    ObjectCursor(S3Client client, String bucket, String key, ObjectProgress object, S3Source.Records split,
                 int maxRecordBytes) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.object = object;
        this.split = split;
        this.maxRecordBytes = maxRecordBytes;
        this.gzip = key.endsWith(".gz");
        this.next = object.next();
        this.bucketHeader = Header.of(S3Source.BUCKET_HEADER, bucket);
    }

    /** Whether every record of the object was returned. */
    boolean ended() {
        return ended;
    }

    /** Whether this cursor returned any record (else everything it read was durable before, or blank). */
    boolean returnedAny() {
        return returnedAny;
    }

    /** The position just past the last record this cursor returned. */
    long afterLastRecord() {
        return afterLastRecord;
    }

    /** Bytes not read yet (of the stored size, which for gzip is the compressed one). */
    long remaining() {
        return ended ? 0 : Math.max(0, object.size() - next);
    }

    /**
     * Adds up to {@code max} records to {@code out}.
     *
     * @throws RetriableException when S3 or the connection fails; the next call reads again from where the last
     *                            record returned ended
     */
    void read(int max, List<KsfRecord> out) {
        if (!gzip && next >= object.size()) {
            ended = true; // everything was durable before: nothing to read (a GET of the range would answer 416)
        }
        if (ended) {
            return;
        }
        if (split == S3Source.Records.WHOLE && !gzip && object.size() > maxRecordBytes) {
            add(out, object.size() - 1, null, "the object is " + object.size() + " bytes; whole-object records "
                    + "may be up to max.record.bytes = " + maxRecordBytes);
            ended = true;
            return;
        }
        try {
            if (in == null) {
                open();
            }
            int added = 0;
            while (added < max && !ended) {
                if (chunkPos == chunkLen) {
                    int n = in.read(chunk);
                    if (n < 0) {
                        if (record.size() > 0 || overlong || split == S3Source.Records.WHOLE && position > next) {
                            added += emit(out, position - 1);
                        }
                        ended = true;
                        closeStream();
                        break;
                    }
                    chunkPos = 0;
                    chunkLen = n;
                }
                added += split == S3Source.Records.WHOLE ? take(chunkLen - chunkPos) : scanLine(out);
            }
        } catch (IOException | SdkClientException e) {
            rewind();
            throw new RetriableException("reading s3://" + bucket + "/" + key + " at byte " + next + " failed: "
                    + e.getMessage(), e);
        } catch (S3Exception e) {
            rewind();
            if (e.statusCode() == 412 || e.statusCode() == 404) {
                throw new ObjectChangedException(key); // overwritten, or deleted, since it was listed
            }
            if (e.statusCode() >= 500 || e.statusCode() == 429) {
                throw new RetriableException("reading s3://" + bucket + "/" + key + " failed: " + e.getMessage(), e);
            }
            throw new KsfException("cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    /** Takes bytes up to the next line break; returns 1 when that ended a line that became a record. */
    private int scanLine(List<KsfRecord> out) {
        int end = chunkPos;
        while (end < chunkLen && chunk[end] != '\n') {
            end++;
        }
        take(end - chunkPos);
        if (end == chunkLen) {
            return 0;
        }
        chunkPos++; // the line break
        position++;
        return emit(out, position - 1);
    }

    /** Appends bytes of the chunk to the record, up to the limit; beyond it the record is marked overlong. */
    private int take(int length) {
        int room = Math.max(0, maxRecordBytes - record.size());
        record.write(chunk, chunkPos, Math.min(length, room));
        overlong |= length > room;
        chunkPos += length;
        position += length;
        return 0;
    }

    /** Ends the record whose last byte is at {@code last}; returns 1 when it became a record, 0 for a blank line. */
    private int emit(List<KsfRecord> out, long last) {
        byte[] bytes = record.toByteArray();
        record.reset();
        boolean tooLong = overlong;
        overlong = false;
        if (split != S3Source.Records.WHOLE && !tooLong) {
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            if (length == 0) {
                next = last + 1;
                return 0;
            }
            bytes = length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
            if (split == S3Source.Records.CSV && csvHeader == null) {
                csvHeader = new Header(Header.CSV_HEADER, bytes); // the header row is not a record
                next = last + 1;
                return 0;
            }
        }
        add(out, last, bytes, tooLong ? (split == S3Source.Records.WHOLE ? "the object" : "a line") + " longer than "
                + "max.record.bytes = " + maxRecordBytes + " ends at byte " + last + "; its first bytes are kept"
                : null);
        return 1;
    }

    private void add(List<KsfRecord> out, long last, byte[] value, String refusal) {
        KsfRecord r = KsfRecord.of(key, object.generation(), last, object.lastModified(), null, value,
                csvHeader == null ? List.of(bucketHeader) : List.of(bucketHeader, csvHeader));
        out.add(refusal == null ? r : r.refused(refusal));
        next = last + 1;
        afterLastRecord = next;
        returnedAny = true;
    }

    private void open() throws IOException {
        if (split == S3Source.Records.CSV && csvHeader == null && next > 0) {
            csvHeader = new Header(Header.CSV_HEADER, firstLine()); // resuming inside: read the header row again
        }
        long from = gzip ? 0 : next;
        response = client.getObject(b -> b.bucket(bucket).key(key).ifMatch(object.etag())
                .range(from == 0 ? null : "bytes=" + from + "-"));
        in = gzip ? new GZIPInputStream(response, CHUNK) : response;
        position = from;
        chunkPos = 0;
        chunkLen = 0;
        while (position < next) { // gzip: skip what was returned before, counting uncompressed bytes
            long skipped = in.skip(next - position);
            if (skipped <= 0) {
                break;
            }
            position += skipped;
        }
    }

    /** The object's first non-blank line, without its line break, read by a GET of its own. */
    private byte[] firstLine() throws IOException {
        try (ResponseInputStream<GetObjectResponse> head = client.getObject(b -> b.bucket(bucket).key(key)
                .ifMatch(object.etag()))) {
            InputStream lines = gzip ? new GZIPInputStream(head, CHUNK) : head;
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            for (int b = lines.read(); b >= 0 && line.size() <= maxRecordBytes; b = lines.read()) {
                if (b == '\n') {
                    if (line.size() > 0) {
                        break;
                    }
                    continue;
                }
                line.write(b);
            }
            head.abort();
            byte[] bytes = line.toByteArray();
            return bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? Arrays.copyOf(bytes, bytes.length - 1) : bytes;
        }
    }

    /** After a failure: drop the partial record and the stream; the next read opens again at {@link #next}. */
    private void rewind() {
        record.reset();
        overlong = false;
        closeStream();
    }

    private void closeStream() {
        if (response != null) {
            response.abort(); // do not drain the rest of the object
            response = null;
        }
        in = null;
        chunkPos = 0;
        chunkLen = 0;
    }

    @Override
    public void close() {
        closeStream();
    }

    /**
     * The object's content changed under its key, or the key was deleted, since it was listed: a new content is a
     * new generation, found by the next listing.
     */
    static final class ObjectChangedException extends RuntimeException {
        ObjectChangedException(String key) {
            super("the content of " + key + " changed, or it was deleted, while it was read", null, false, false);
        }
    }
}
