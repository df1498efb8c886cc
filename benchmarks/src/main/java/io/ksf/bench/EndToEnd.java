package io.ksf.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.ksf.docdb.DocDbTarget;
import io.ksf.file.FileTarget;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.format.csv.CsvFormat;
import io.ksf.format.json.JsonFormat;
import io.ksf.kafka.KafkaSourceFactory;
import io.ksf.kafka.KafkaTarget;
import io.ksf.parquet.ParquetFormatFactory;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelineSettings;
import io.ksf.processor.HashProcessor;
import io.ksf.processor.ValidateProcessor;
import io.ksf.s3.ObjectCompression;
import io.ksf.s3.ObjectPartitioner;
import io.ksf.s3.S3Clients;
import io.ksf.s3.S3Target;
import io.ksf.spi.Format;
import io.ksf.spi.Options;
import io.ksf.spi.Processor;
import io.ksf.spi.Source;
import io.ksf.spi.Target;
import io.ksf.support.Retry;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedMongo;
import io.ksf.testkit.EmbeddedS3;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.bson.RawBsonDocument;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The end-to-end harness: one preloaded topic on the testkit's real broker, and every contender measured in the
 * same run against the same servers, so that ratios hold on a shared, noisy machine.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ksf.bench.EndToEnd [--records N] [--size BYTES]
 *      [--partitions P] [--docdb-records N] [--out FILE] [--no-peers] [--only "SUBSTRING;..."]
 *      [--memory-budget MIB [--parquet]] [--parquet] [--s3-latency MS]
 * </pre>
 * {@code --parquet} alone compares Parquet with JSON Lines to S3 and with a bare parquet-java writer; with
 * {@code --memory-budget} the memory runs write Parquet. {@code --s3-latency} holds each S3 request of the in-process
 * S3 targets and of the sink limit that long (a proxy in front of the S3 server), as a far S3 endpoint would.
 */
public final class EndToEnd {
    private final long records;
    private final int size;
    private final int partitions;
    private final long docdbRecords;
    private final List<Row> rows = new ArrayList<>();
    /** The steady state of each child JVM's row: from a third of its records stored to the end. */
    private final Map<String, ChildPeer.Window> steady = new java.util.LinkedHashMap<>();
    private EmbeddedKafka kafka;
    private EmbeddedS3 s3;
    /** With --s3-latency: every S3 request of the targets and the sink limit is held this long, as AWS's are. */
    private Duration s3Latency;
    private io.ksf.testkit.FaultProxy s3Proxy;
    private EmbeddedMongo mongo;
    private RawLimits limits;
    private long topicBytes;
    private int runs;

    /** One measured contender. */
    record Row(String name, long records, long bytes, double seconds, double cpuSeconds, long peakHeap) {
        double recordsPerSecond() {
            return records / seconds;
        }

        double mibPerSecond() {
            return bytes / seconds / (1 << 20);
        }

        double cpuPerMillion() {
            return cpuSeconds / records * 1_000_000;
        }
    }

    private static final String FILE_PEER = "peer: Kafka Connect standalone, FileStreamSink";
    private static final String CAMEL_PEER = "peer: Apache Camel route kafka -> aggregate -> aws2-s3";
    private static final String MONGO_PEER = "peer: Kafka Connect standalone, MongoDB sink connector";
    private static final String FILE_CHILD = "KSF as a child JVM: kafka -> file, sync";
    private static final String S3_CHILD = "KSF as a child JVM: kafka -> s3, async";
    private static final String DOCDB_CHILD = "KSF as a child JVM: kafka -> docdb (whole documents), sync";
    private static final String MIRROR_PEER = "peer: Kafka Connect standalone, MirrorMaker 2 MirrorSourceConnector";
    private static final String KAFKA_CHILD = "KSF as a child JVM: kafka -> kafka, sync, at least once";
    /** Every contender that is not a limit, for --only. */
    private static final List<String> CONTENDERS = List.of("KSF kafka -> file, pass-through, sync", FILE_PEER,
            "KSF kafka -> s3, pass-through, sync", CAMEL_PEER, "KSF kafka -> s3, pass-through, async",
            "KSF kafka -> validate -> s3 (fields read off the bytes), sync", "KSF kafka -> validate -> s3, async",
            "KSF kafka -> validate -> s3 (decode + encode), sync", "KSF kafka -> validate -> s3 (decode + encode), async",
            "KSF kafka -> csv -> s3, sync", "KSF kafka -> kafka, pass-through, at least once",
            "KSF kafka -> kafka, pass-through, exactly once", "KSF kafka -> md5 -> docdb",
            "KSF kafka -> docdb (whole documents)", "KSF kafka -> docdb (whole documents), async", MONGO_PEER, FILE_CHILD, S3_CHILD,
            DOCDB_CHILD, MIRROR_PEER, KAFKA_CHILD);

    private long memoryBudget = 256L << 20;
    /** The memory runs read the live set after forced full collections. */
    private boolean fullCollections;
    private long baselineHeap;
    private boolean flagSkipPeers;
    /** --parquet: the Parquet comparison, or the memory runs in Parquet. */
    private boolean parquet;
    /** Bytes stored by a row, where the table shows them. */
    private final Map<String, Long> storedBytes = new java.util.HashMap<>();
    /** Substrings of the contenders to run (--only a,b); empty: all. Limits run when a row they serve runs. */
    private List<String> only = List.of();

    private EndToEnd(long records, int size, int partitions, long docdbRecords) {
        this.records = records;
        this.size = size;
        this.partitions = partitions;
        this.docdbRecords = docdbRecords;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = Harness.flags(args, Set.of("--no-peers", "--parquet"));
        long records = Long.parseLong(flags.getOrDefault("--records", "1000000"));
        EndToEnd harness = new EndToEnd(records, Integer.parseInt(flags.getOrDefault("--size", "1024")),
                Integer.parseInt(flags.getOrDefault("--partitions", "6")),
                Long.parseLong(flags.getOrDefault("--docdb-records", String.valueOf(Math.min(records, 200_000)))));
        harness.flagSkipPeers = flags.containsKey("--no-peers");
        if (flags.containsKey("--only")) {
            harness.only = List.of(flags.get("--only").split(";"));
        }
        harness.parquet = flags.containsKey("--parquet");
        if (flags.containsKey("--s3-latency")) {
            harness.s3Latency = Duration.ofMillis(Long.parseLong(flags.get("--s3-latency")));
        }
        String table = flags.containsKey("--memory-budget")
                ? harness.memoryAtScale(Long.parseLong(flags.get("--memory-budget")) << 20)
                : harness.parquet ? harness.parquetVsJson() : harness.run();
        Harness.finish(table, flags, "benchmarks/target/e2e-results.md");
    }

    private String run() throws Exception {
        System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
        try (EmbeddedKafka k = EmbeddedKafka.start(); EmbeddedS3 s = EmbeddedS3.start();
             EmbeddedMongo m = EmbeddedMongo.start()) {
            kafka = k;
            s3 = s;
            mongo = m;
            limits = new RawLimits(k, s, m, records, docdbRecords, partitions);
            if (s3Latency != null) {
                s3Proxy = io.ksf.testkit.FaultProxy.start(s.endpoint());
                s3Proxy.delay(s3Latency);
                s3Proxy.failFor(io.ksf.testkit.FaultProxy.Fault.DELAY, Duration.ofDays(1));
                limits.s3Endpoint(s3Proxy.endpoint());
            }
            preload();
            // an unmeasured pass of each kind first, so the JIT has warmed up for every measured row
            limits.consume();
            ksf(new JsonFormat(), List.of(validate()), fileTarget(), PipelineSettings.Mode.SYNC, records);
            measure("source limit: bare KafkaConsumer", records, limits::consume);
            measure("KSF kafka -> file, pass-through, sync", records, () -> ksf(new JsonFormat(), List.of(),
                    fileTarget(), PipelineSettings.Mode.SYNC, records));
            if (!flagSkipPeers && wanted(FILE_PEER)) {
                peerFileStreamSink();
            }
            if (!flagSkipPeers && wanted(FILE_CHILD)) {
                Path folder = Files.createTempDirectory("ksf-child-file-");
                childRow(FILE_CHILD, "bench", records, "{\"type\": \"file\", \"format\": \"json\", \"path\": \""
                        + folder + "\"}", "sync", () -> hasFile(folder));
            }
            if (groupWanted("s3")) {
                String passBucket = bucket();
                Harness.Body passThrough = () -> ksf(new JsonFormat(), List.of(),
                        s3Target(passBucket, new JsonFormat()), PipelineSettings.Mode.SYNC, records);
                if (wanted("KSF kafka -> s3, pass-through, sync")) {
                    measure("KSF kafka -> s3, pass-through, sync", records, passThrough);
                } else {
                    passThrough.run(); // the objects whose PUTs are the sink limit
                }
                List<Long> objectSizes = objectSizes(passBucket);
                measure("sink limit: bare S3 PUTs of the same objects, sequential", records,
                        () -> limits.puts(bucket(), objectSizes));
            }
            if (!flagSkipPeers && wanted(CAMEL_PEER)) {
                peerCamel();
            }
            if (!flagSkipPeers && wanted(S3_CHILD)) {
                String bucket = bucket();
                childRow(S3_CHILD, "bench", records, "{\"type\": \"s3\", \"format\": \"json\", \"bucket\": \""
                        + bucket + "\", \"region\": \"" + EmbeddedS3.REGION + "\", \"endpoint\": \"" + s3.endpoint()
                        + "\", \"path.style\": true, \"part.size\": \"16MiB\"}", "async", () -> !objectSizes(bucket).isEmpty());
            }
            measure("KSF kafka -> s3, pass-through, async", records, () -> ksf(new JsonFormat(), List.of(),
                    s3Target(bucket(), new JsonFormat()), PipelineSettings.Mode.ASYNC, records));
            measure("KSF kafka -> validate -> s3 (fields read off the bytes), sync", records, () -> ksf(
                    new JsonFormat(), List.of(validate()), s3Target(bucket(), new JsonFormat()),
                    PipelineSettings.Mode.SYNC, records));
            measure("KSF kafka -> validate -> s3, async", records, () -> ksf(new JsonFormat(),
                    List.of(validate()), s3Target(bucket(), new JsonFormat()), PipelineSettings.Mode.ASYNC, records));
            // the same checks as a plain Processor, which the runtime must hand decoded records: the cost before
            Processor onTheTree = validate()::process;
            measure("KSF kafka -> validate -> s3 (decode + encode), sync", records, () -> ksf(new JsonFormat(),
                    List.of(onTheTree), s3Target(bucket(), new JsonFormat()), PipelineSettings.Mode.SYNC, records));
            measure("KSF kafka -> validate -> s3 (decode + encode), async", records, () -> ksf(new JsonFormat(),
                    List.of(onTheTree), s3Target(bucket(), new JsonFormat()), PipelineSettings.Mode.ASYNC, records));
            measure("KSF kafka -> csv -> s3, sync", records, () -> ksf(new JsonFormat(), List.of(),
                    s3Target(bucket(), new CsvFormat(List.of(), true, ',')), PipelineSettings.Mode.SYNC, records));
            if (groupWanted("-> kafka")) {
                measure("kafka limit: bare consume + produce loop, at least once", records, () -> limits.copy(false));
                measure("kafka limit: bare consume + transactional produce loop, exactly once", records,
                        () -> limits.copy(true));
            }
            measure("KSF kafka -> kafka, pass-through, at least once", records, () -> ksf(new JsonFormat(), List.of(),
                    kafkaTarget(false), PipelineSettings.Mode.SYNC, records));
            measure("KSF kafka -> kafka, pass-through, exactly once", records, () -> ksf(new JsonFormat(), List.of(),
                    kafkaTarget(true), PipelineSettings.Mode.SYNC, records));
            if (!flagSkipPeers && wanted(MIRROR_PEER)) {
                peerMirrorMaker();
            }
            if (!flagSkipPeers && wanted(KAFKA_CHILD)) {
                String copy = "child-copy-" + runs++;
                kafka.createTopic(copy, partitions);
                childRow(KAFKA_CHILD, "bench", records, "{\"type\": \"kafka\", \"topic\": \"" + copy
                        + "\", \"properties\": {\"bootstrap.servers\": \"" + kafka.bootstrapServers() + "\"}}", "sync",
                        () -> Harness.recordsIn(kafka, copy) > 0);
            }
            if (groupWanted("docdb") || groupWanted("MongoDB")) {
                measure("mongo limit: bare bulk upserts (500 per batch)", docdbRecords, limits::upserts);
                List<RawBsonDocument> documents = wholeDocuments();
                measure("mongo limit: bare bulk upserts of the whole documents", docdbRecords,
                        () -> limits.wholeUpserts(documents));
            }
            measure("KSF kafka -> md5 -> docdb", docdbRecords, () -> ksf("bench-docdb", new BytesFormat("\n"),
                    List.of(new HashProcessor("MD5", List.of(), "hashed")), docdbTarget(), PipelineSettings.Mode.SYNC,
                    docdbRecords));
            measure("KSF kafka -> docdb (whole documents)", docdbRecords, () -> ksf("bench-docdb", new JsonFormat(),
                    List.of(), docdbTarget(), PipelineSettings.Mode.SYNC, docdbRecords));
            measure("KSF kafka -> docdb (whole documents), async", docdbRecords, () -> ksf("bench-docdb",
                    new JsonFormat(), List.of(), docdbTarget(), PipelineSettings.Mode.ASYNC, docdbRecords));
            if (!flagSkipPeers && wanted(MONGO_PEER)) {
                peerMongoSink();
            }
            if (!flagSkipPeers && wanted(DOCDB_CHILD)) {
                String collection = "child" + runs++;
                childRow(DOCDB_CHILD, "bench-docdb", docdbRecords, "{\"type\": \"docdb\", \"connection.string\": \""
                        + mongo.connectionString() + "\", \"database\": \"bench\", \"collection\": \"" + collection
                        + "\", \"batch.size\": 500}", "sync", () -> {
                            try (MongoClient client = MongoClients.create(mongo.connectionString())) {
                                return client.getDatabase("bench").getCollection(collection).estimatedDocumentCount() > 0;
                            }
                        });
                dropDocuments();
            }
        }
        return table();
    }

    /**
     * Async Kafka -> S3 runs (pass-through, then validate) with the given budget, reporting the live heap read
     * after forced full collections against the idle baseline (broker, clients) and the budget.
     */
    private String memoryAtScale(long budget) throws Exception {
        memoryBudget = budget;
        fullCollections = true;
        withKafkaAndS3(() -> {
            // warm-up, then the idle baseline: servers and clients loaded, nothing in flight
            ksf(new JsonFormat(), List.of(validate()), s3Target(bucket(), new JsonFormat()),
                    PipelineSettings.Mode.ASYNC, Math.min(records, 50_000));
            System.gc();
            java.util.concurrent.locks.LockSupport.parkNanos(500_000_000);
            System.gc();
            baselineHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            String suffix = ", " + partitions + " partitions, async, memory budget " + (budget >> 20) + " MiB";
            if (parquet) {
                for (PipelineSettings.Mode mode : PipelineSettings.Mode.values()) {
                    measure("KSF kafka -> s3, Parquet (snappy), " + mode.name().toLowerCase(Locale.ROOT) + ", "
                            + partitions + " partitions, memory budget " + (budget >> 20) + " MiB", records,
                            () -> ksf(new JsonFormat(), List.of(), s3Target(bucket(), parquetFormat()), mode,
                                    records));
                }
                return;
            }
            measure("KSF kafka -> s3, pass-through" + suffix, records, () -> ksf(new JsonFormat(), List.of(),
                    s3Target(bucket(), new JsonFormat()), PipelineSettings.Mode.ASYNC, records));
            measure("KSF kafka -> validate -> s3" + suffix, records, () -> ksf(new JsonFormat(),
                    List.of(validate()), s3Target(bucket(), new JsonFormat()), PipelineSettings.Mode.ASYNC, records));
        });
        return memoryTable(budget);
    }

    /** Starts the broker and the S3 server, preloads the topics, and runs the body with them. */
    private void withKafkaAndS3(Harness.Body body) throws Exception {
        System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
        try (EmbeddedKafka k = EmbeddedKafka.start(); EmbeddedS3 s = EmbeddedS3.start()) {
            kafka = k;
            s3 = s;
            preload();
            body.run();
        }
    }

    private String memoryTable(long budget) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%,d records of about %,d bytes, %d "
                + "partitions; live heap read after a full collection every 0.5 s%n%n| contender | records/s | MiB/s "
                + "| idle baseline MiB (broker, clients) | peak live heap MiB | above the baseline MiB | memory budget "
                + "MiB |%n|---|---:|---:|---:|---:|---:|---:|%n", records, size, partitions));
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %d | %d | %d | %d |%n", row.name(),
                    row.recordsPerSecond(), row.mibPerSecond(), baselineHeap >> 20, row.peakHeap() >> 20,
                    (row.peakHeap() - baselineHeap) >> 20, budget >> 20));
        }
        return out.toString();
    }

    /**
     * Parquet against JSON Lines to S3 (records/s, CPU and bytes stored per record), sync and async, and against a
     * bare parquet-java writer of the same posts (the limit), in one run.
     */
    private String parquetVsJson() throws Exception {
        withKafkaAndS3(() -> {
            List<byte[]> posts = new ArrayList<>();
            for (long n = 0; n < records; n++) {
                posts.add(Samples.postBytes(n, size));
            }
            // warm-up of both writers, unmeasured
            ksf(new JsonFormat(), List.of(), s3Target(bucket(), parquetFormat()), PipelineSettings.Mode.SYNC,
                    Math.min(records, 100_000));
            ParquetLimit.write(posts.subList(0, (int) Math.min(records, 100_000)), 5_000);
            long[] limitBytes = new long[1];
            measure("writer limit: Jackson + parquet-java's Group writer, posts in memory, 5,000 rows a file",
                    records, () -> limitBytes[0] = ParquetLimit.write(posts, 5_000));
            storedBytes.put(rows.get(rows.size() - 1).name(), limitBytes[0]);
            try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
                String bucket = bucket();
                measure("parquet limit: bare consumer + Jackson + parquet-java + PUT, one thread, 5,000 rows a "
                        + "file", records, () -> limitBytes[0] = ParquetLimit.path(kafka, "bench", records, client,
                        bucket, 5_000));
                storedBytes.put(rows.get(rows.size() - 1).name(), limitBytes[0]);
            }
            for (PipelineSettings.Mode mode : PipelineSettings.Mode.values()) {
                String suffix = ", " + mode.name().toLowerCase(Locale.ROOT);
                storedRow("KSF kafka -> s3, JSON Lines (as read)" + suffix, new JsonFormat(), mode);
                storedRow("KSF kafka -> s3, Parquet (decode + snappy columns)" + suffix, parquetFormat(), mode);
            }
            storedRow("KSF kafka -> s3, Parquet (decode + zstd columns), async", parquetFormat("zstd"),
                    PipelineSettings.Mode.ASYNC);
        });
        Row limit = row("parquet limit");
        Row writerLimit = row("writer limit");
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%,d posts of about %,d bytes, %d "
                + "partitions, an object per partition every 30,000 records%n%n| contender | records/s | CPU us / "
                + "record | bytes stored / record | / parquet limit (records/s) | / writer limit (records/s) "
                + "| / JSON Lines bytes |%n|---|---:|---:|---:|---:|---:|---:|%n", records, size, partitions));
        for (Row row : rows) {
            long bytes = storedBytes.getOrDefault(row.name(), 0L);
            Long jsonBytes = storedBytes.get(row.name().replaceAll("Parquet \\(decode \\+ \\w+ columns\\)",
                    "JSON Lines (as read)"));
            String json = row.name().contains("Parquet") && jsonBytes != null ? ratio(bytes / (double) jsonBytes) : "";
            boolean isLimit = row.name().contains("limit");
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.0f | %s | %s | %s |%n", row.name(),
                    row.recordsPerSecond(), row.cpuSeconds() / row.records() * 1e6, bytes / (double) row.records(),
                    isLimit ? "" : ratio(row.recordsPerSecond() / limit.recordsPerSecond()),
                    isLimit ? "" : ratio(row.recordsPerSecond() / writerLimit.recordsPerSecond()), json));
        }
        return out.toString();
    }

    private void storedRow(String name, Format format, PipelineSettings.Mode mode) throws Exception {
        String bucket = bucket();
        measure(name, records, () -> ksf(new JsonFormat(), List.of(), s3Target(bucket, format), mode, records));
        storedBytes.put(name, objectSizes(bucket).stream().mapToLong(Long::longValue).sum());
    }

    private static Format parquetFormat() throws java.io.IOException {
        return parquetFormat("snappy");
    }

    private static Format parquetFormat(String codec) throws java.io.IOException {
        Path schema = Files.createTempFile("posts-", ".schema.json");
        Files.writeString(schema, ParquetLimit.POSTS_JSON_SCHEMA);
        ParquetFormatFactory factory = new ParquetFormatFactory();
        return factory.create(Options.of("target.format", factory.options(), Map.of("schema", schema.toString(),
                "codec", codec)));
    }

    private void preload() {
        kafka.createTopic("bench", partitions);
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (long n = 0; n < records; n++) {
                byte[] value = Samples.postBytes(n, size);
                bytes += value.length;
                producer.send(new ProducerRecord<>("bench", (int) (n % partitions), null, value));
            }
            producer.flush();
        }
        topicBytes = bytes;
        kafka.createTopic("bench-docdb", partitions);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (long n = 0; n < docdbRecords; n++) {
                producer.send(new ProducerRecord<>("bench-docdb", (int) (n % partitions), null,
                        Samples.postBytes(n, size)));
            }
            producer.flush();
        }
    }

    private long bytesOf(long count) {
        return topicBytes * count / records;
    }

    /** Whether --only selects this contender. */
    private boolean wanted(String name) {
        return only.isEmpty() || only.stream().anyMatch(name::contains);
    }

    /** Whether --only selects a contender whose name contains this: the limits of that group are then measured. */
    private boolean groupWanted(String part) {
        return CONTENDERS.stream().filter(name -> name.contains(part)).anyMatch(this::wanted);
    }

    private void measure(String name, long count, Harness.Body body) throws Exception {
        if (!name.contains("limit") && !wanted(name)) {
            return;
        }
        Harness.Measured measured = Harness.measure(body, new HeapWatch(fullCollections));
        if (name.contains("docdb") || name.startsWith("mongo limit")) {
            dropDocuments();
        }
        Row row = new Row(name, count, bytesOf(count), measured.seconds(), measured.cpuSeconds(), measured.peakHeap());
        rows.add(row);
        System.out.printf(Locale.ROOT, "%-60s %,12.0f records/s %8.1f MiB/s%n", name, row.recordsPerSecond(),
                row.mibPerSecond());
    }

    /** Kafka Connect standalone with FileStreamSink, the peer of KSF's file target. */
    private void peerFileStreamSink() throws Exception {
        Path out = Files.createTempDirectory("ksf-connect-file-").resolve("sink.txt");
        Properties connector = new Properties();
        connector.put("name", "file-peer-" + runs++);
        connector.put("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector");
        connector.put("tasks.max", "1");
        connector.put("topics", "bench");
        connector.put("file", out.toString());
        System.gc();
        ChildPeer.Result result = ConnectPeer.run(kafka, "bench", records, connector,
                () -> Files.exists(out) && out.toFile().length() > 0);
        childResult(FILE_PEER, records, result, "its first record");
    }

    /**
     * MirrorMaker 2's MirrorSourceConnector in a Connect standalone worker, the peer of KSF's kafka -> kafka: it
     * copies {@code bench} to {@code <alias>.bench} on the same broker (one cluster under two aliases), one task as KSF
     * has one pipeline thread, at least once as its default; timed until the copy holds every record.
     */
    private void peerMirrorMaker() {
        String alias = "mm" + runs++;
        Properties connector = new Properties();
        connector.put("name", "mirror-peer-" + alias);
        connector.put("connector.class", "org.apache.kafka.connect.mirror.MirrorSourceConnector");
        connector.put("tasks.max", "1");
        connector.put("topics", "bench");
        connector.put("source.cluster.alias", alias);
        connector.put("target.cluster.alias", "copy");
        connector.put("source.cluster.bootstrap.servers", kafka.bootstrapServers());
        connector.put("target.cluster.bootstrap.servers", kafka.bootstrapServers());
        connector.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        connector.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        connector.put("replication.factor", "1");
        connector.put("offset-syncs.topic.replication.factor", "1");
        connector.put("sync.topic.configs.enabled", "false");
        connector.put("sync.topic.acls.enabled", "false");
        connector.put("refresh.topics.interval.seconds", "1");
        String copy = alias + ".bench";
        System.gc();
        ChildPeer.Result result = ConnectPeer.runSource(kafka, "bench", records, connector,
                () -> Harness.recordsIn(kafka, copy) > 0, () -> Harness.recordsIn(kafka, copy));
        childResult(MIRROR_PEER, records, result, "its first record");
    }

    /** KSF's twin of a peer: `ksf run` in a child JVM, timed and its CPU read as the peers'. */
    private void childRow(String name, String topic, long count, String target, String mode,
                          java.util.function.BooleanSupplier started) {
        System.gc();
        ChildPeer.Result result = KsfChild.run(kafka, topic, count, "ksf-child-" + runs++, target, mode, started);
        childResult(name, count, result, "its first output");
    }

    /** A child JVM's row, its steady state, and a line of progress. */
    private void childResult(String name, long count, ChildPeer.Result result, String timedFrom) {
        rows.add(new Row(name, count, bytesOf(count), result.seconds(), result.cpuSeconds(), -1));
        steady.put(name, result.steady());
        System.out.printf(Locale.ROOT, "%-60s %,12.0f records/s (child JVM; timed from %s)%n", name,
                count / result.seconds(), timedFrom);
    }

    private static boolean hasFile(Path folder) {
        try (var files = Files.walk(folder)) {
            return files.anyMatch(Files::isRegularFile);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** An Apache Camel route Kafka -> aggregate -> S3, the peer of KSF's S3 target. */
    private void peerCamel() {
        String bucket = bucket();
        System.gc();
        ChildPeer.Result result = CamelPeer.run(kafka, s3, "bench", bucket, records, () -> {
            try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
                return client.listObjectsV2(b -> b.bucket(bucket).maxKeys(1)).keyCount() > 0;
            }
        }, () -> objectSizes(bucket).stream().mapToLong(Long::longValue).sum() >= topicBytes);
        childResult(CAMEL_PEER, records, result, "its first object");
    }

    /** The MongoDB Kafka sink connector in Kafka Connect standalone, the peer of KSF's docdb target. */
    private void peerMongoSink() {
        String collection = "peer" + runs++;
        Properties connector = new Properties();
        connector.put("name", "mongo-peer-" + runs);
        connector.put("connector.class", "com.mongodb.kafka.connect.MongoSinkConnector");
        connector.put("tasks.max", "1");
        connector.put("topics", "bench-docdb");
        connector.put("connection.uri", mongo.connectionString());
        connector.put("database", "bench");
        connector.put("collection", collection);
        // the connector's documented throughput setting: bigger bulk writes; JSON strings as documents
        connector.put("max.batch.size", "500");
        try (MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> target = client.getDatabase("bench").getCollection(collection);
            System.gc();
            ChildPeer.Result result = ConnectPeer.run(kafka, "bench-docdb", docdbRecords, connector,
                    () -> target.estimatedDocumentCount() > 0);
            dropDocuments();
            childResult(MONGO_PEER, docdbRecords, result, "its first record");
        }
    }

    /** A consumer of a new group that reads from the start and commits only when told, 2,000 records a poll. */
    private void ksf(Format format, List<Processor> processors, Target target, PipelineSettings.Mode mode,
                     long count) {
        ksf("bench", format, processors, target, mode, count);
    }

    private void ksf(String topic, Format format, List<Processor> processors, Target target,
                     PipelineSettings.Mode mode, long count) {
        KafkaSourceFactory factory = new KafkaSourceFactory();
        Source source = factory.create(Options.of("source", factory.options(), Map.of("topics", List.of(topic),
                "properties", Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id", "ksf-" + runs++,
                        "max.poll.records", "2000"))), null);
        Pipeline pipeline = Pipeline.builder().source(source, format).processors(processors).target(target)
                .mode(mode).memoryBudget(memoryBudget).flushEvery(30_000, 64L << 20, Duration.ofSeconds(30)).build();
        Thread runner = new Thread(pipeline::run, "ksf-bench");
        runner.start();
        while (pipeline.stats().recordsIn() < count) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            if (!runner.isAlive()) {
                throw new IllegalStateException("the pipeline stopped early: " + pipeline.stats());
            }
        }
        pipeline.close(); // the final flush and commit are part of the measured time
    }

    private static Processor validate() {
        return new ValidateProcessor(List.of("index", "unique_id", "geo.country"),
                Map.of("index", "integer", "follower_count", "integer"), null);
    }

    private Target fileTarget() throws Exception {
        return new FileTarget(Files.createTempDirectory("ksf-bench-file-"), "", new JsonFormat());
    }

    private String bucket() {
        String bucket = "bench-" + runs++;
        try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            client.createBucket(b -> b.bucket(bucket));
        }
        return bucket;
    }

    private Target s3Target(String bucket, Format format) {
        return new S3Target(S3Clients.create(EmbeddedS3.REGION, s3Proxy == null ? s3.endpoint() : s3Proxy.endpoint(),
                true), new S3Target.Settings(bucket,
                "", format, ObjectPartitioner.byKafkaPartition(), 0, 0, Duration.ZERO, Duration.ZERO, 16L << 20, 64L << 20,
                ObjectCompression.NONE, null, null, new Retry(Duration.ofMinutes(2), Duration.ofMillis(200))));
    }

    private List<Long> objectSizes(String bucket) {
        try (S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true)) {
            return client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::size)
                    .toList();
        }
    }

    /** A new output topic, and a target that copies the values to it as they are. */
    private Target kafkaTarget(boolean exactlyOnce) {
        String topic = "copy-" + runs++;
        kafka.createTopic(topic, partitions);
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return KafkaTarget.builder(props).topic(topic).exactlyOnce(exactlyOnce).build();
    }

    private Target docdbTarget() {
        MongoClient client = MongoClients.create(mongo.connectionString());
        return new DocDbTarget(client, client.getDatabase("bench").getCollection("ksf" + runs++), null, 500,
                new Retry(Duration.ofMinutes(2), Duration.ofMillis(200)));
    }

    /** The MongoDB-wire server keeps every document in the heap it shares with the harness: drop them. */
    private void dropDocuments() {
        try (MongoClient client = MongoClients.create(mongo.connectionString())) {
            client.getDatabase("bench").drop();
        }
    }

    /** The sample documents as BSON, without _id (the upsert's filter gives it), cycled over the ids. */
    private List<RawBsonDocument> wholeDocuments() {
        List<RawBsonDocument> documents = new ArrayList<>();
        for (int n = 0; n < Math.min(docdbRecords, 5_000); n++) {
            documents.add(RawBsonDocument.parse(new String(Samples.postBytes(n, size),
                    java.nio.charset.StandardCharsets.UTF_8)));
        }
        return documents;
    }

    private String table() {
        Row source = row("source limit");
        Row sink = row("sink limit");
        Row mongoLimit = row("mongo limit: bare bulk upserts (500");
        Row wholeLimit = row("mongo limit: bare bulk upserts of the whole");
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%,d records of about %,d bytes (%.0f MiB), %d partitions; "
                + "docdb rows %,d records%n%n", records, size, topicBytes / (double) (1 << 20), partitions, docdbRecords));
        out.append("| contender | records/s | MiB/s | CPU s / M records | peak heap MiB | / source limit | / sink limit "
                + "| / peer (rate; CPU per record) |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            String sourceRatio = source == null || row.name().contains("limit") ? ""
                    : ratio(row.recordsPerSecond() / source.recordsPerSecond());
            String sinkRatio = "";
            if (row.name().contains("-> s3") && !row.name().startsWith("peer") && sink != null) {
                sinkRatio = ratio(row.mibPerSecond() / sink.mibPerSecond());
            } else if (row.name().startsWith("KSF kafka -> kafka")) {
                Row limit = row("kafka limit: bare consume + " + (row.name().endsWith("exactly once")
                        ? "transactional" : "produce"));
                sinkRatio = limit == null ? "" : ratio(row.recordsPerSecond() / limit.recordsPerSecond())
                        + " (kafka loop)";
            } else if (row.name().contains("-> docdb")) {
                Row limit = row.name().contains("whole documents") ? wholeLimit : mongoLimit;
                sinkRatio = limit == null ? "" : ratio(row.recordsPerSecond() / limit.recordsPerSecond())
                        + " (mongo" + (limit == wholeLimit ? ", whole documents" : "") + ")";
            }
            Row peer = peerOf(row.name()) == null ? null : row(peerOf(row.name()));
            String peerRatio = peer == null ? "" : ratio(row.recordsPerSecond() / peer.recordsPerSecond()) + "; "
                    + ratio(row.cpuPerMillion() / peer.cpuPerMillion()) + " ("
                    + peer.name().substring(peer.name().lastIndexOf(' ') + 1) + ")";
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.1f | %s | %s | %s | %s |%n", row.name(),
                    row.recordsPerSecond(), row.mibPerSecond(), row.cpuPerMillion(),
                    row.peakHeap() < 0 ? "(child JVM)" : Long.toString(row.peakHeap() >> 20), sourceRatio, sinkRatio,
                    peerRatio));
        }
        out.append(steadyTable());
        return out.toString();
    }

    /** The peer a row of KSF compares with, or null. */
    private static String peerOf(String name) {
        if (name.startsWith("KSF kafka -> file") || name.equals(FILE_CHILD)) {
            return FILE_PEER;
        } else if (name.startsWith("KSF kafka -> s3, pass-through") || name.equals(S3_CHILD)) {
            return CAMEL_PEER;
        } else if (name.startsWith("KSF kafka -> docdb") || name.equals(DOCDB_CHILD)) {
            return MONGO_PEER;
        } else if (name.equals("KSF kafka -> kafka, pass-through, at least once") || name.equals(KAFKA_CHILD)) {
            return MIRROR_PEER;
        }
        return null;
    }

    /** The child JVMs again, over the last two thirds of each run, when start-up and the JIT compiler are behind. */
    private String steadyTable() {
        if (steady.values().stream().allMatch(java.util.Objects::isNull)) {
            return "";
        }
        StringBuilder out = new StringBuilder("\nSteady state: the child JVMs from a third of their records stored to "
                + "the end\n\n| contender | records | records/s | CPU s / M records | / peer (rate; CPU per record) |\n"
                + "|---|---:|---:|---:|---:|\n");
        steady.forEach((name, window) -> {
            if (window == null) {
                return;
            }
            ChildPeer.Window peer = peerOf(name) == null ? null : steady.get(peerOf(name));
            String peerRatio = peer == null ? "" : ratio(window.recordsPerSecond() / peer.recordsPerSecond()) + "; "
                    + ratio(window.cpuPerMillion() / peer.cpuPerMillion());
            out.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %.1f | %s |%n", name, window.records(),
                    window.recordsPerSecond(), window.cpuPerMillion(), peerRatio));
        });
        return out.toString();
    }

    private Row row(String namePrefix) {
        return rows.stream().filter(r -> r.name().startsWith(namePrefix)).findFirst().orElse(null);
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

}
