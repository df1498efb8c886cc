package io.ksf.docdb;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import io.ksf.spi.Check;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.RetriableException;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsServerCheck;
import io.ksf.spi.Target;
import io.ksf.spi.TargetContext;
import io.ksf.support.Fields;
import io.ksf.support.Retry;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.BsonSerializationException;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.configuration.CodecConfigurationException;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.types.Decimal128;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Writes each record's decoded value as one document, upserted by a deterministic {@code _id} (a business field,
 * or {@code topic-partition-offset}), in unordered bulk writes: a replay replaces the same documents and changes
 * nothing. A document the server would refuse (over 16 MiB, a {@code $} or NUL in a field name) or does refuse is
 * rejected to the dead letters while its batch-mates are stored. Network and write-concern errors are retried
 * with backoff; nothing is committed until every bulk write succeeded.
 */
public final class DocDbTarget implements Target, SupportsServerCheck {
    static final int MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
    private static final DocumentCodec CODEC = new DocumentCodec();
    private static final CodecRegistry REGISTRY = MongoClientSettings.getDefaultCodecRegistry();

    private final MongoClient client;
    private final MongoCollection<Document> collection;
    /** The same collection, written with documents that are BSON bytes already. */
    private final MongoCollection<RawBsonDocument> raw;
    private final String idField;
    private final int batchSize;
    private final Retry retry;
    private final List<KsfRecord> buffered = new ArrayList<>();
    private TargetContext context = TargetContext.NONE;
    /** Runs one bulk write at a time while the flush converts the next batch. */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "ksf-docdb-write");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param idField   field (dotted path) whose value is the {@code _id}, or null for {@code topic-partition-offset}
     * @param batchSize documents per bulk write
     */
    public DocDbTarget(MongoClient client, MongoCollection<Document> collection, String idField, int batchSize,
                       Retry retry) {
        this.client = client;
        this.collection = collection;
        this.raw = collection.withDocumentClass(RawBsonDocument.class);
        this.idField = idField;
        this.batchSize = batchSize;
        this.retry = retry;
    }

    /** The server answers a ping as this user; with a probe write, a document is inserted and deleted. */
    @Override
    public List<Check> check(Duration timeout, boolean probeWrite) {
        MongoCollection<Document> bounded = collection.withTimeout(timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        String subject = "collection " + collection.getNamespace();
        try {
            client.getDatabase(collection.getNamespace().getDatabaseName())
                    .withTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .runCommand(new Document("ping", 1));
            if (!probeWrite) {
                return List.of(Check.passed(subject, "the server answers"));
            }
            String id = "ksf-check-" + UUID.randomUUID();
            bounded.insertOne(new Document("_id", id));
            bounded.deleteOne(new Document("_id", id));
            return List.of(Check.passed(subject, "takes a write (probe document " + id
                    + " inserted and deleted)"));
        } catch (com.mongodb.MongoTimeoutException e) {
            return List.of(Check.failed(subject, "no server answered within " + timeout.toMillis()
                    + " ms; is the host and port of the connection string right, and is TLS set as the server "
                    + "needs? (" + firstLine(e.getMessage()) + ")"));
        } catch (com.mongodb.MongoSecurityException e) {
            return List.of(Check.failed(subject, "authentication failed; check the user and password of "
                    + "the connection string"));
        } catch (com.mongodb.MongoException e) {
            return List.of(Check.failed(subject, firstLine(e.getMessage())));
        }
    }

    private static String firstLine(String message) {
        String text = String.valueOf(message);
        int cut = text.indexOf(". Client view");
        return cut > 0 ? text.substring(0, cut) : text;
    }

    @Override
    public void write(List<KsfRecord> records) {
        buffered.addAll(records);
    }

    /** JSON values are read straight into BSON here, so the runtime need not decode them first. */
    @Override
    public boolean takesUndecoded(Format sourceFormat) {
        return sourceFormat.name().equals("json");
    }

    /**
     * Converts the buffered records batch by batch; each bulk write runs on the writer thread while this one
     * converts the next batch. One bulk write at a time, in order, so a later record with the same id still wins.
     */
    @Override
    public Positions flush() {
        Map<SourcePartition, Long> positions = new HashMap<>();
        List<KsfRecord> batchRecords = new ArrayList<>(batchSize);
        List<ReplaceOneModel<RawBsonDocument>> batch = new ArrayList<>(batchSize);
        List<Refused> refused = new ArrayList<>();
        Future<List<Refused>> writing = null;
        try {
            for (KsfRecord record : buffered) {
                positions.merge(record.topicPartition(), record.offset() + 1, Math::max);
                try {
                    Replacement replacement = replacement(record);
                    batch.add(new ReplaceOneModel<>(Filters.eq("_id", replacement.id()), replacement.document(),
                            UPSERT));
                    batchRecords.add(record);
                } catch (InvalidRecordException e) {
                    refused.add(new Refused(record, e));
                }
                if (batch.size() == batchSize) {
                    refused.addAll(written(writing));
                    writing = startBulkWrite(batch, batchRecords);
                    batch = new ArrayList<>(batchSize);
                    batchRecords = new ArrayList<>(batchSize);
                }
            }
            refused.addAll(written(writing));
            writing = null;
            if (!batch.isEmpty()) {
                refused.addAll(bulkWrite(batch, batchRecords));
            }
        } finally {
            if (writing != null) {
                writing.cancel(true); // the flush failed: everything stays buffered for the next one
            }
        }
        buffered.clear();
        refused.forEach(r -> context.reject(r.record(), r.reason())); // only once the whole flush succeeded
        return Positions.of(positions);
    }

    private Future<List<Refused>> startBulkWrite(List<ReplaceOneModel<RawBsonDocument>> batch,
                                                  List<KsfRecord> records) {
        return writer.submit(() -> bulkWrite(batch, records));
    }

    /** Waits for a bulk write started before (none: null) and returns the documents the server refused. */
    private static List<Refused> written(Future<List<Refused>> writing) {
        if (writing == null) {
            return List.of();
        }
        try {
            return writing.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new KsfException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KsfException("interrupted while writing to DocumentDB", e);
        }
    }

    @Override
    public void open(TargetContext context) {
        this.context = context;
    }

    /** A document the server or the conversion refused, with the reason. */
    private record Refused(KsfRecord record, InvalidRecordException reason) {
    }

    /** Writes one batch, unordered; returns the documents the server refused. Retries what may succeed later. */
    private List<Refused> bulkWrite(List<ReplaceOneModel<RawBsonDocument>> batch, List<KsfRecord> records) {
        return retry.call("bulk write of " + batch.size() + " documents to " + collection.getNamespace(), () -> {
            try {
                raw.bulkWrite(batch, new BulkWriteOptions().ordered(false));
                return List.of();
            } catch (MongoBulkWriteException e) {
                if (e.getWriteConcernError() != null) {
                    throw new RetriableException("write concern error: " + e.getWriteConcernError().getMessage(), e);
                }
                List<Refused> refused = new ArrayList<>();
                for (BulkWriteError error : e.getWriteErrors()) {
                    refused.add(new Refused(records.get(error.getIndex()), new InvalidRecordException(
                            "DocumentDB refused the document: " + error.getCode() + " " + error.getMessage())));
                }
                return refused;
            } catch (MongoSocketException | MongoTimeoutException e) {
                throw new RetriableException(e.getMessage(), e);
            } catch (MongoException e) {
                if (e.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)
                        || e.hasErrorLabel("RetryableWriteError")) {
                    throw new RetriableException(e.getMessage(), e);
                }
                throw new KsfException("bulk write to " + collection.getNamespace() + " failed: " + e.getMessage(), e);
            }
        });
    }

    /** A document as BSON bytes, and the {@code _id} that the upsert's filter gives it. */
    record Replacement(Object id, RawBsonDocument document) {
    }

    /**
     * The document of a record and its {@code _id}; refuses what the server would refuse. JSON bytes that no
     * processor decoded become BSON in one pass ({@link JsonToBson}, without a top-level {@code _id}: the filter
     * sets it); decoded data goes through {@link #document}.
     */
    Replacement replacement(KsfRecord record) {
        Replacement replacement;
        if (!record.decoded() && record.value() != null) {
            boolean idWithin = idField != null && (idField.equals("_id") || idField.startsWith("_id."));
            RawBsonDocument document = JsonToBson.convert(record.value(), !idWithin);
            Object id = idField == null ? record.topic() + "-" + record.partition() + "-" + record.offset()
                    : fieldOf(document, idField);
            if (idWithin && !idField.equals("_id")) {
                document = JsonToBson.convert(record.value(), true); // the id came from inside the record's _id
            }
            replacement = new Replacement(id, document);
        } else {
            Document document = document(record);
            try {
                replacement = new Replacement(document.get("_id"), new RawBsonDocument(document, CODEC));
            } catch (BsonSerializationException e) { // such as a name holding NUL inside an array
                throw new InvalidRecordException("cannot store the record as BSON: " + e.getMessage(), e);
            }
        }
        int size = replacement.document().getByteBuffer().remaining();
        if (size > MAX_DOCUMENT_BYTES) {
            throw new InvalidRecordException("the document is " + size + " bytes; the largest allowed is "
                    + MAX_DOCUMENT_BYTES);
        }
        return replacement;
    }

    /** The value at a dotted path of a BSON document, as the decoded path reads it ({@link Fields#get}). */
    private static BsonValue fieldOf(BsonDocument document, String path) {
        BsonValue current = document;
        for (String part : path.split("\\.")) {
            if (!(current instanceof BsonDocument nested) || !nested.containsKey(part)) {
                current = null;
                break;
            }
            current = nested.get(part);
        }
        if (current == null || current.isNull()) {
            throw new InvalidRecordException("the _id field '" + path + "' is missing");
        }
        return current;
    }

    /** The document of decoded data, with its {@code _id}; refuses what the server would refuse. */
    Document document(KsfRecord record) {
        if (!(record.data() instanceof Map<?, ?> map)) {
            throw new InvalidRecordException("a document must be a JSON object, found "
                    + Fields.jsonType(record.data()));
        }
        Object id;
        if (idField == null) {
            id = record.topic() + "-" + record.partition() + "-" + record.offset();
        } else {
            id = Fields.get(map, idField);
            if (id == Fields.MISSING || id == null) {
                throw new InvalidRecordException("the _id field '" + idField + "' is missing");
            }
            id = bson(id);
        }
        Document document = new Document("_id", id);
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            if (!key.equals("_id")) {
                document.put(key, bson(entry.getValue()));
            }
        }
        checkFieldNames(document, "");
        return document;
    }

    private static void checkFieldNames(Map<?, ?> document, String path) {
        for (Map.Entry<?, ?> entry : document.entrySet()) {
            String key = String.valueOf(entry.getKey());
            if (key.startsWith("$") || key.indexOf('\0') >= 0) {
                throw new InvalidRecordException("invalid field name '" + path + key + "': it may not start with $ "
                        + "or contain NUL");
            }
            if (entry.getValue() instanceof Map<?, ?> nested) {
                checkFieldNames(nested, path + key + ".");
            }
        }
    }

    /** JSON numbers as MongoDB stores them: decimals as double, big integers as Decimal128 when beyond long. */
    private static Object bson(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal.doubleValue();
        }
        if (value instanceof BigInteger integer) {
            return integer.bitLength() < 64 ? (Object) integer.longValue() : new Decimal128(new BigDecimal(integer));
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), bson(v)));
            return new Document(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(bson(v)));
            return copy;
        }
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        try {
            REGISTRY.get(value.getClass()); // refused here, one record goes to the dead letters, not the whole batch
        } catch (CodecConfigurationException e) {
            throw new InvalidRecordException("cannot store a " + value.getClass().getName()
                    + " in a document: MongoDB has no codec for it", e);
        }
        return value;
    }

    @Override
    public void discard(Collection<SourcePartition> partitions) {
        buffered.removeIf(record -> partitions.contains(record.topicPartition()));
    }

    @Override
    public void close() {
        buffered.clear();
        writer.shutdownNow();
        client.close();
    }
}
