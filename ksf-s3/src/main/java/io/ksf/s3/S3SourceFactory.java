package io.ksf.s3;

import io.ksf.s3.S3Connection;
import io.ksf.checkpoint.CheckpointStoreFactory;
import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Source;
import io.ksf.spi.SourceFactory;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The {@code s3} source. */
public final class S3SourceFactory implements SourceFactory {
    /** Keys under this folder hold KSF's own state, and are never read as data. */
    static final String STATE_FOLDER = "_ksf/";

    public static final Option<String> BUCKET = Option.string("bucket", "S3 bucket to read").required();
    public static final Option<String> PREFIX = Option.string("prefix", "only keys that start with this, such as "
            + "papers/").defaultValue("");
    public static final Option<String> KEY_REGEX = Option.string("key.regex",
            "only keys that match this regular expression (whole key), such as .*\\.txt");
    public static final Option<String> RECORDS = Option.choice("records",
            "one record per line (blank lines skipped), one per object, or CSV rows named by the object's header row",
            "lines", "whole", "csv").defaultValue("lines");
    public static final Option<Long> MAX_RECORD_BYTES = Option.size("max.record.bytes",
            "a longer line (or object) goes to the dead letters with its first bytes").defaultValue(1L << 20);
    public static final Option<Duration> POLL_INTERVAL = Option.duration("poll.interval",
            "how often the prefix is listed for new objects").defaultValue(Duration.ofSeconds(1));
    public static final Option<Duration> POLL_INTERVAL_MAX = Option.duration("poll.interval.max",
            "while nothing is new, the interval doubles up to this").defaultValue(Duration.ofSeconds(30));
    public static final Option<Integer> LOOKBACK = Option.integer("lookback",
            "finished keys remembered; listings start after the largest key forgotten, so keys arriving later "
                    + "must sort after it").defaultValue(10_000);
    public static final Option<Integer> MAX_POLL_RECORDS = Option.integer("max.poll.records",
            "records per poll").defaultValue(500);
    public static final Option<String> CHECKPOINT = Option.choice("checkpoint",
            "where positions are kept: an S3 object (conditional writes), a compacted Kafka topic whose group shares "
                    + "the objects among instances, or a local file", "s3", "kafka", "file").defaultValue("s3");
    public static final Option<String> CHECKPOINT_KEY = Option.string("checkpoint.key",
            "checkpoint s3: its key in the bucket; default _ksf/checkpoints/<prefix>s3-source.json");
    public static final Option<String> CHECKPOINT_PATH = Option.string("checkpoint.path",
            "checkpoint file: the file").defaultValue("ksf-s3-source-checkpoint.json");
    public static final Option<String> CHECKPOINT_TOPIC = Option.string("checkpoint.topic",
            "checkpoint kafka: the compacted topic, created when missing; default ksf-s3-<bucket>-checkpoints");
    public static final Option<Integer> CHECKPOINT_SHARDS = Option.integer("checkpoint.shards",
            "checkpoint kafka: shards (the topic's partitions), the most instances that share the objects")
            .defaultValue(12);
    public static final Option<String> CHECKPOINT_GROUP = Option.string("checkpoint.group",
            "checkpoint kafka: the group of the instances that share the objects; default the topic's name");
    public static final Option<Map<String, String>> CHECKPOINT_PROPERTIES = Option.map("checkpoint.properties",
            "checkpoint kafka: Kafka client properties, bootstrap.servers at least");

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public String description() {
        return "Reads new objects under a bucket and prefix as lines or whole, resuming at the exact byte";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> options = new ArrayList<>(List.of(BUCKET, PREFIX, KEY_REGEX));
        options.addAll(S3Connection.options());
        options.addAll(List.of(RECORDS, MAX_RECORD_BYTES, POLL_INTERVAL, POLL_INTERVAL_MAX, LOOKBACK,
                MAX_POLL_RECORDS, CHECKPOINT, CHECKPOINT_KEY, CHECKPOINT_PATH, CHECKPOINT_TOPIC, CHECKPOINT_SHARDS,
                CHECKPOINT_GROUP, CHECKPOINT_PROPERTIES));
        return options;
    }

    @Override
    public void check(Options options) {
        List<String> problems = new ArrayList<>();
        String path = options.path();
        S3Connection.check(options, problems);
        if (options.get(KEY_REGEX) != null) {
            try {
                Pattern.compile(options.get(KEY_REGEX));
            } catch (PatternSyntaxException e) {
                problems.add(path + ".key.regex: expected a regular expression, found \"" + options.get(KEY_REGEX)
                        + "\" (" + e.getDescription() + ")");
            }
        }
        long maxRecord = options.require(MAX_RECORD_BYTES);
        if (maxRecord < 1 || maxRecord > Integer.MAX_VALUE - 8) {
            problems.add(path + ".max.record.bytes: expected 1B to 2GiB, found " + maxRecord);
        }
        if (options.require(LOOKBACK) < 0) {
            problems.add(path + ".lookback: expected 0 or more, found " + options.require(LOOKBACK));
        }
        if (options.require(MAX_POLL_RECORDS) < 1) {
            problems.add(path + ".max.poll.records: expected at least 1, found " + options.require(MAX_POLL_RECORDS));
        }
        if (options.require(PREFIX).startsWith(STATE_FOLDER)) {
            problems.add(path + ".prefix: keys under " + STATE_FOLDER + " hold KSF's state, found \""
                    + options.require(PREFIX) + "\"");
        }
        if (options.require(CHECKPOINT).equals("kafka")) {
            Map<String, String> kafka = options.get(CHECKPOINT_PROPERTIES);
            if (kafka == null || kafka.get("bootstrap.servers") == null) {
                problems.add(path + ".checkpoint.properties: checkpoint kafka needs bootstrap.servers, found "
                        + (kafka == null ? "none" : "no bootstrap.servers"));
            }
            if (options.require(CHECKPOINT_SHARDS) < 1) {
                problems.add(path + ".checkpoint.shards: expected at least 1, found "
                        + options.require(CHECKPOINT_SHARDS));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    @Override
    public Source create(Options options, FactoryContext context) {
        check(options);
        String bucket = options.require(BUCKET);
        String prefix = options.require(PREFIX);
        S3Client client = S3Connection.client(options);
        Pattern keys = options.get(KEY_REGEX) == null ? null : Pattern.compile(options.get(KEY_REGEX));
        S3Source.Settings settings = new S3Source.Settings(bucket, prefix, keys,
                S3Source.Records.valueOf(options.require(RECORDS).toUpperCase(Locale.ROOT)),
                (int) (long) options.require(MAX_RECORD_BYTES), options.require(POLL_INTERVAL),
                options.require(POLL_INTERVAL_MAX), options.require(LOOKBACK), options.require(MAX_POLL_RECORDS));
        if (options.require(CHECKPOINT).equals("kafka")) {
            Properties kafka = new Properties();
            kafka.putAll(options.require(CHECKPOINT_PROPERTIES));
            String topic = options.get(CHECKPOINT_TOPIC) != null ? options.get(CHECKPOINT_TOPIC)
                    : "ksf-s3-" + bucket + "-checkpoints";
            String group = options.get(CHECKPOINT_GROUP) != null ? options.get(CHECKPOINT_GROUP) : topic;
            return new S3Source(client, settings, CheckpointStoreFactory.create("kafka", kafka, topic,
                    options.require(CHECKPOINT_SHARDS), group));
        }
        if (options.require(CHECKPOINT).equals("file")) {
            return S3Source.withFileCheckpoint(client, settings, Path.of(options.require(CHECKPOINT_PATH)));
        }
        return S3Source.withS3Checkpoint(client, settings, options.get(CHECKPOINT_KEY) != null
                ? options.get(CHECKPOINT_KEY) : STATE_FOLDER + "checkpoints/" + prefix + "s3-source.json");
    }
}
