package io.ksf.bench;

import io.ksf.format.bytes.BytesFormat;
import io.ksf.kafka.KafkaTarget;
import io.ksf.pipeline.Pipeline;
import io.ksf.s3.S3Clients;
import io.ksf.s3.S3Source;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.Target;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code s3} source against its limit, in one run: objects of JSON lines in an S3 bucket (the testkit's S3Proxy),
 * read by bare sequential GETs that count the lines (the limit), then by KSF into a Kafka topic (at least once).
 * With {@code --big-mib M}, one object of M MiB is also read into a target that only counts, to show the heap it
 * takes: the peak live heap against the live heap before.
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar io.ksf.bench.S3SourceBench [--lines N] [--size BYTES]
 *      [--objects K] [--big-mib M] [--out FILE]
 * </pre>
 */
public final class S3SourceBench {
    private record Row(String name, long lines, long bytes, double seconds, double cpuSeconds, long peakHeap) {
    }

    private final List<Row> rows = new ArrayList<>();
    private EmbeddedS3 s3;
    private EmbeddedKafka kafka;
    private int runs;

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = Harness.flags(args, Set.of());
        long lines = Long.parseLong(flags.getOrDefault("--lines", "1000000"));
        int size = Integer.parseInt(flags.getOrDefault("--size", "200"));
        int objects = Integer.parseInt(flags.getOrDefault("--objects", "8"));
        int bigMib = Integer.parseInt(flags.getOrDefault("--big-mib", "0"));
        String table = new S3SourceBench().run(lines, size, objects, bigMib);
        Harness.finish(table, flags, "benchmarks/target/s3-source-results.md");
    }

    private String run(long lines, int size, int objects, int bigMib) throws Exception {
        EmbeddedS3.useAsDefaultCredentials();
        try (EmbeddedKafka k = EmbeddedKafka.start(); EmbeddedS3 s = EmbeddedS3.start()) {
            kafka = k;
            s3 = s;
            S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true);
            client.createBucket(b -> b.bucket("lines"));
            long bytes = 0;
            long perObject = lines / objects;
            for (int o = 0; o < objects; o++) {
                bytes += upload(client, "lines", "in/part-%03d.json".formatted(o), o * perObject, perObject, size);
            }
            long total = perObject * objects;
            kafka.createTopic("warm", 6);
            kafka.createTopic("lines", 6);
            kafka.createTopic("bare-lines", 6);
            bareGets(client, "lines"); // unmeasured passes first, so the JIT has warmed up for both rows
            ksfToKafka("lines", "warm", total);
            long allBytes = bytes;
            measure("source limit: bare S3 GETs of the same objects, sequential, lines counted", total, allBytes,
                    () -> bareGets(client, "lines"));
            measure("limit: bare S3 GETs + KafkaProducer, each line a record (acks all)", total, allBytes,
                    () -> bareGetsAndProduce(client, "lines", "bare-lines"));
            measure("KSF s3 -> kafka, lines, at least once", total, allBytes, () -> ksfToKafka("lines", "lines", total));
            if (bigMib > 0) {
                client.createBucket(b -> b.bucket("big"));
                long bigLines = ((long) bigMib << 20) / (size + 1);
                long bigBytes = upload(client, "big", "in/big.json", 0, bigLines, size);
                measure("KSF s3 -> counting target, one object of " + bigMib + " MiB", bigLines, bigBytes,
                        () -> ksfToCounter("big", bigLines));
            }
        }
        return table();
    }

    /** Writes the lines to a temporary file first, so the upload needs no heap; returns the object's bytes. */
    private static long upload(S3Client client, String bucket, String key, long first, long count, int size)
            throws IOException {
        Path file = Files.createTempFile("ksf-bench-lines-", ".json");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                for (long n = first; n < first + count; n++) {
                    out.write(Samples.postBytes(n, size));
                    out.write('\n');
                }
            }
            client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
            return Files.size(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void bareGets(S3Client client, String bucket) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long newlines = 0;
        for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("in/")).contents()) {
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket)
                    .key(object.key()))) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    for (int i = 0; i < n; i++) {
                        newlines += buffer[i] == '\n' ? 1 : 0;
                    }
                }
            }
        }
        if (newlines == 0) {
            throw new IllegalStateException("no lines read");
        }
    }

    private void bareGetsAndProduce(S3Client client, String bucket, String topic) throws IOException {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", kafka.bootstrapServers());
        properties.put("linger.ms", "5");
        properties.put("acks", "all");
        properties.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        properties.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        byte[] buffer = new byte[64 * 1024];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("in/")).contents()) {
                try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket)
                        .key(object.key()))) {
                    ByteArrayOutputStream line = new ByteArrayOutputStream(512);
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        int start = 0;
                        for (int i = 0; i < n; i++) {
                            if (buffer[i] == '\n') {
                                line.write(buffer, start, i - start);
                                producer.send(new ProducerRecord<>(topic, line.toByteArray()));
                                line.reset();
                                start = i + 1;
                            }
                        }
                        line.write(buffer, start, n - start);
                    }
                }
            }
            producer.flush();
        }
    }

    private S3Source source(String bucket) throws IOException {
        S3Source.Settings settings = new S3Source.Settings(bucket, "in/", null, S3Source.Records.LINES, 1 << 20,
                Duration.ofMillis(100), Duration.ofSeconds(1), 10_000, 2000);
        return S3Source.withFileCheckpoint(S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true), settings,
                Files.createTempDirectory("ksf-bench-checkpoint-").resolve("checkpoint.json"));
    }

    private void ksfToKafka(String bucket, String topic, long lines) throws IOException {
        Properties producer = new Properties();
        producer.put("bootstrap.servers", kafka.bootstrapServers());
        producer.put("linger.ms", "5");
        run(Pipeline.builder().name("bench-s3-" + runs++).source(source(bucket), new BytesFormat("\n"))
                .target(KafkaTarget.builder(producer).topic(topic).noKey().build())
                .flushEvery(30_000, 64L << 20, Duration.ofSeconds(30)).build(), lines);
    }

    private void ksfToCounter(String bucket, long lines) throws IOException {
        run(Pipeline.builder().name("bench-s3-" + runs++).source(source(bucket), new BytesFormat("\n"))
                .target(new CountingTarget()).flushEvery(30_000, 64L << 20, Duration.ofSeconds(30)).build(), lines);
    }

    private static void run(Pipeline pipeline, long lines) {
        Thread runner = new Thread(pipeline::run, "ksf-bench");
        runner.start();
        while (pipeline.stats().recordsIn() < lines) {
            LockSupport.parkNanos(2_000_000);
            if (!runner.isAlive()) {
                throw new IllegalStateException("the pipeline stopped early: " + pipeline.stats());
            }
        }
        pipeline.close(); // the final flush and commit are part of the measured time
    }

    private void measure(String name, long lines, long bytes, Harness.Body body) throws Exception {
        Harness.Measured measured = Harness.measure(body);
        double seconds = measured.seconds();
        rows.add(new Row(name, lines, bytes, seconds, measured.cpuSeconds(), measured.peakHeap()));
        System.out.printf(Locale.ROOT, "%-70s %,12.0f lines/s %8.1f MiB/s%n", name, lines / seconds,
                bytes / seconds / (1 << 20));
    }

    private String table() {
        StringBuilder out = new StringBuilder("| contender | lines/s | MiB/s | CPU s per million lines "
                + "| peak live heap MiB | vs bare GETs | vs bare GETs + produce |\n|---|---:|---:|---:|---:|---:|---:|\n");
        double limit = rows.get(0).lines() / rows.get(0).seconds();
        double produceLimit = rows.get(1).lines() / rows.get(1).seconds();
        for (Row row : rows) {
            double rate = row.lines() / row.seconds();
            boolean toKafka = row.name().contains("kafka");
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.1f | %d | %.2f | %s |%n", row.name(),
                    rate, row.bytes() / row.seconds() / (1 << 20), row.cpuSeconds() / row.lines() * 1_000_000,
                    row.peakHeap() >> 20, rate / limit,
                    toKafka ? String.format(Locale.ROOT, "%.2f", rate / produceLimit) : ""));
        }
        return out.toString();
    }

    /** A target that stores nothing and counts: the heap a big object takes is the source's and the runtime's. */
    private static final class CountingTarget implements Target {
        private final Map<SourcePartition, Long> written = new HashMap<>();

        @Override
        public void write(List<KsfRecord> records) {
            for (KsfRecord record : records) {
                written.merge(record.topicPartition(), record.offset() + 1, Math::max);
            }
        }

        @Override
        public Positions flush() {
            Positions positions = Positions.of(written);
            written.clear();
            return positions;
        }

        @Override
        public void discard(Collection<SourcePartition> partitions) {
        }

        @Override
        public void close() {
        }
    }
}
