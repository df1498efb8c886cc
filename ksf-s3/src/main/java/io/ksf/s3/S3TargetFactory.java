package io.ksf.s3;

import io.ksf.s3.S3Connection;
import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Target;
import io.ksf.spi.TargetFactory;
import io.ksf.support.Retry;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** The {@code s3} target. */
public final class S3TargetFactory implements TargetFactory {
    private static final long MIN_PART = 5L << 20;

    public static final Option<String> BUCKET = Option.string("bucket", "S3 bucket to write to").required();
    public static final Option<String> PREFIX = Option.string("prefix", "prepended to every key, such as curated/")
            .defaultValue("");
    public static final Option<String> REGION = S3Connection.REGION;
    public static final Option<String> ENDPOINT = S3Connection.ENDPOINT;
    public static final Option<Boolean> PATH_STYLE = S3Connection.PATH_STYLE;
    public static final Option<String> PARTITIONER = Option.choice("partitioner",
            "the folder under the topic: partition=<p>, <field>=<value>, a time path, or a path.template",
            "partition", "field", "time", "template")
            .defaultValue("partition");
    public static final Option<String> PARTITION_FIELD = Option.string("partition.field",
            "field (dotted path) whose value names the folder (partitioner field)");
    public static final Option<String> PATH_FORMAT = Option.string("path.format",
            "time folder pattern (partitioner time), such as year=YYYY/month=MM/day=dd/hour=HH")
            .defaultValue("year=YYYY/month=MM/day=dd/hour=HH");
    public static final Option<String> PATH_TEMPLATE = Option.string("path.template",
            "folder layout (partitioner template) of {field}, {time:pattern} and {partition} parts, such as "
                    + "region={region}/dt={time:yyyy-MM-dd}/hr={time:HH}");
    public static final Option<String> TIMEZONE = Option.string("timezone", "time zone of path.format and path.template")
            .defaultValue("UTC");
    public static final Option<String> TIMESTAMP_FIELD = Option.string("timestamp.field",
            "field with epoch milliseconds or an ISO-8601 instant; default: the record timestamp");
    public static final Option<Integer> FLUSH_RECORDS = Option.integer("flush.records",
            "records per object before it is cut, as Kafka Connect's flush.size (0: only at pipeline flushes)")
            .defaultValue(0);
    public static final Option<Long> FLUSH_BYTES = Option.size("flush.bytes",
            "encoded bytes per object before it is cut (0: only at pipeline flushes)").defaultValue(0L);
    public static final Option<Duration> ROTATE_INTERVAL = Option.duration("rotate.interval",
            "cut an object before a record this much later (record time) than its first record; 0s: never")
            .defaultValue(Duration.ZERO);
    public static final Option<Duration> ROTATE_SCHEDULE = Option.duration("rotate.schedule",
            "store objects open this long on the wall clock, so quiet partitions are written too; 0s: never")
            .defaultValue(Duration.ZERO);
    public static final Option<Long> PART_SIZE = Option.size("part.size",
            "objects above this size go through multipart upload in parts of this size (at least 5MiB)")
            .defaultValue(8L << 20);
    public static final Option<Long> STAGING_MEMORY = Option.size("staging.memory",
            "bytes of open objects (each up to part.size) kept in memory until uploaded; beyond it objects wait in "
                    + "temporary files").defaultValue(64L << 20);
    public static final Option<String> COMPRESSION = Option.choice("compression", "object compression",
            "none", "gzip", "zstd").defaultValue("none");
    public static final Option<String> SSE = Option.choice("sse", "server-side encryption", "none", "aes256", "kms")
            .defaultValue("none");
    public static final Option<String> KMS_KEY_ID = Option.string("kms.key.id", "KMS key for sse kms");
    public static final Option<Integer> UPLOAD_CONCURRENCY = Option.integer("upload.concurrency",
            "objects a flush uploads at the same time").defaultValue(4);
    public static final Option<Duration> RETRY_TIMEOUT = Option.duration("retry.timeout",
            "how long one S3 call is retried on throttling, 5xx and network errors").defaultValue(Duration.ofMinutes(2));
    public static final Option<Duration> RETRY_BACKOFF = Option.duration("retry.backoff",
            "first wait between S3 retries; doubles with jitter").defaultValue(Duration.ofMillis(200));

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public String description() {
        return "Writes deterministic objects to Amazon S3 or an S3-compatible store";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(BUCKET, PREFIX, REGION, ENDPOINT, PATH_STYLE, PARTITIONER, PARTITION_FIELD, PATH_FORMAT, PATH_TEMPLATE,
                TIMEZONE, TIMESTAMP_FIELD, FLUSH_RECORDS, FLUSH_BYTES, ROTATE_INTERVAL, ROTATE_SCHEDULE, PART_SIZE,
                STAGING_MEMORY, COMPRESSION, SSE, KMS_KEY_ID, UPLOAD_CONCURRENCY, RETRY_TIMEOUT, RETRY_BACKOFF);
    }

    @Override
    public void check(Options options) {
        List<String> problems = new ArrayList<>();
        String path = options.path();
        if (options.require(PART_SIZE) < MIN_PART) {
            problems.add(path + ".part.size: expected at least 5MiB (S3's smallest part), found " + options.require(PART_SIZE));
        }
        if (options.require(PARTITIONER).equals("field") && options.get(PARTITION_FIELD) == null) {
            problems.add(path + ".partition.field: missing; partitioner field needs the field to partition by");
        }
        if (options.require(PARTITIONER).equals("template")) {
            if (options.get(PATH_TEMPLATE) == null) {
                problems.add(path + ".path.template: missing; partitioner template needs the folder layout");
            } else {
                try {
                    ObjectPartitioner.byTemplate(options.get(PATH_TEMPLATE), ZoneId.of(options.require(TIMEZONE)),
                            null);
                } catch (IllegalArgumentException | DateTimeException e) {
                    problems.add(path + ".path.template / timezone: " + e.getMessage());
                }
            }
        }
        if (options.require(PARTITIONER).equals("time")) {
            try {
                ObjectPartitioner.byTime(options.require(PATH_FORMAT), ZoneId.of(options.require(TIMEZONE)), null);
            } catch (IllegalArgumentException | DateTimeException e) {
                problems.add(path + ".path.format / timezone: " + e.getMessage());
            }
        }
        S3Connection.check(options, problems);
        if (options.require(FLUSH_RECORDS) < 0) {
            problems.add(path + ".flush.records: expected 0 or more, found " + options.require(FLUSH_RECORDS));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /** Parquet compresses its pages itself: objects of it are not compressed again. */
    @Override
    public void check(Options options, String format) {
        if (format.equals("parquet") && !options.require(COMPRESSION).equals("none")) {
            throw new ConfigException(options.path() + ".compression: expected none with format parquet, which "
                    + "compresses its pages itself (format.codec), found " + options.require(COMPRESSION));
        }
    }

    @Override
    public Target create(Options options, FactoryContext context) {
        check(options);
        String partitioner = options.require(PARTITIONER);
        ObjectPartitioner objects = switch (partitioner) {
            case "field" -> ObjectPartitioner.byField(options.require(PARTITION_FIELD));
            case "time" -> ObjectPartitioner.byTime(options.require(PATH_FORMAT), ZoneId.of(options.require(TIMEZONE)),
                    options.get(TIMESTAMP_FIELD));
            case "template" -> ObjectPartitioner.byTemplate(options.require(PATH_TEMPLATE),
                    ZoneId.of(options.require(TIMEZONE)), options.get(TIMESTAMP_FIELD));
            default -> ObjectPartitioner.byKafkaPartition();
        };
        ServerSideEncryption sse = switch (options.require(SSE)) {
            case "aes256" -> ServerSideEncryption.AES256;
            case "kms" -> ServerSideEncryption.AWS_KMS;
            default -> null;
        };
        check(options, context.requireFormat().name());
        S3Target.Settings settings = new S3Target.Settings(options.require(BUCKET), options.require(PREFIX),
                context.requireFormat(), objects, options.require(FLUSH_RECORDS), options.require(FLUSH_BYTES),
                options.require(ROTATE_INTERVAL), options.require(ROTATE_SCHEDULE), options.require(PART_SIZE), options.require(STAGING_MEMORY),
                ObjectCompression.of(options.require(COMPRESSION)), sse, options.get(KMS_KEY_ID),
                new Retry(options.require(RETRY_TIMEOUT), options.require(RETRY_BACKOFF), Duration.ofSeconds(10)));
        return new S3Target(S3Connection.client(options), settings, Math.max(1, options.require(UPLOAD_CONCURRENCY)));
    }
}
