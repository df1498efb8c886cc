package io.ksf.kinesis;

import io.ksf.checkpoint.FileCheckpointStore;
import io.ksf.checkpoint.CheckpointStoreFactory;
import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Source;
import io.ksf.spi.SourceFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** The {@code kinesis} source: a Kinesis data stream, one partition per shard, checkpointed after the target. */
public final class KinesisSourceFactory implements SourceFactory {
    public static final Option<String> STREAM = Option.string("stream",
            "the stream's name (one stream; several: streams)");
    public static final Option<List<String>> STREAMS = Option.list("streams",
            "several streams read by one source, each shard a partition named by its stream (instead of stream)");
    public static final Option<String> REGION = Option.string("region",
            "the stream's region; default: the AWS region chain (AWS_REGION ...)");
    public static final Option<String> ENDPOINT = Option.string("endpoint",
            "endpoint of a Kinesis-compatible server, such as http://127.0.0.1:4567");
    public static final Option<String> INITIAL_POSITION = Option.choice("initial.position",
            "where shards without a checkpoint start: trim_horizon (the oldest record kept), latest (new records; "
                    + "closed shards skipped) or at_timestamp (initial.timestamp)",
            "trim_horizon", "latest", "at_timestamp").defaultValue("trim_horizon");
    public static final Option<String> INITIAL_TIMESTAMP = Option.string("initial.timestamp",
            "the ISO-8601 instant of initial.position at_timestamp, such as 2026-11-23T10:00:00Z");
    public static final Option<Integer> MAX_RECORDS = Option.integer("max.records",
            "most records per GetRecords call (Kinesis allows 10000)").defaultValue(10_000);
    public static final Option<Double> READS_PER_SECOND = Option.number("reads.per.second",
            "GetRecords calls per shard per second (Kinesis allows 5 per shard, shared by all its consumers)")
            .defaultValue(1.0);
    public static final Option<Duration> DISCOVERY_INTERVAL = Option.duration("shard.discovery.interval",
            "how often the shards are listed again, for the children of splits and merges")
            .defaultValue(Duration.ofSeconds(10));
    public static final Option<String> READ = Option.choice("read",
            "how records are read: polling (GetRecords, 5 calls/s per shard shared by every reader of the stream) or "
                    + "fan-out (enhanced fan-out: Kinesis pushes to a registered consumer, 2 MB/s per shard of its own)",
            "polling", "fan-out").defaultValue("polling");
    public static final Option<String> CONSUMER_NAME = Option.string("consumer.name",
            "read fan-out: the consumer registered with each stream (registered when missing), one name per "
                    + "application; its instances share it");
    public static final Option<Duration> FAN_OUT_RENEWAL = Option.duration("fan-out.renewal",
            "read fan-out: how long a shard's subscription lasts before it is renewed from where it was (Kinesis "
                    + "ends each after 5 minutes)").defaultValue(Duration.ofMinutes(5));
    public static final Option<Integer> MAX_POLL_RECORDS = Option.integer("max.poll.records",
            "most records handed to the pipeline at once").defaultValue(10_000);
    public static final Option<String> CHECKPOINT = Option.choice("checkpoint",
            "where shard positions are kept: file (one instance) or kafka (a compacted topic; with the kafka "
                    + "target's exactly.once, written in its transactions)", "file", "kafka").defaultValue("file");
    public static final Option<String> CHECKPOINT_PATH = Option.string("checkpoint.path",
            "checkpoint file (checkpoint file); default ksf-checkpoints/kinesis-<stream>.json (several streams: their "
                    + "names joined by -)");
    public static final Option<String> CHECKPOINT_TOPIC = Option.string("checkpoint.topic",
            "compacted topic of the checkpoints, checkpoint.shards partitions (checkpoint kafka); default "
                    + "ksf-kinesis-<stream>");
    public static final Option<Integer> CHECKPOINT_SHARDS = Option.integer("checkpoint.shards",
            "checkpoint kafka: the checkpoint topic's partitions, the most instances that share the stream's shards "
                    + "(a shard's checkpoint is in partition <shard number> modulo this); 1: one instance reads and "
                    + "the others wait to take over; best the number of open shards").defaultValue(1);
    public static final Option<String> CHECKPOINT_GROUP = Option.string("checkpoint.group",
            "consumer group on the checkpoint topic: the instances in it share the checkpoint topic's partitions "
                    + "and so the shards; default ksf-kinesis-<stream>");
    public static final Option<Map<String, String>> CHECKPOINT_PROPERTIES = Option.map("checkpoint.properties",
            "Kafka client properties of the checkpoint topic's cluster: bootstrap.servers, security ...");

    @Override
    public String name() {
        return "kinesis";
    }

    @Override
    public String description() {
        return "Reads Kinesis data streams, shard by shard (parents before children); checkpoints after the target";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(STREAM, STREAMS, REGION, ENDPOINT, INITIAL_POSITION, INITIAL_TIMESTAMP, MAX_RECORDS, READS_PER_SECOND,
                DISCOVERY_INTERVAL, READ, CONSUMER_NAME, FAN_OUT_RENEWAL, MAX_POLL_RECORDS, CHECKPOINT, CHECKPOINT_PATH, CHECKPOINT_TOPIC, CHECKPOINT_SHARDS,
                CHECKPOINT_GROUP,
                CHECKPOINT_PROPERTIES);
    }

    @Override
    public void check(Options options) {
        String path = options.path();
        List<String> problems = new ArrayList<>();
        if ((options.get(STREAM) == null) == (options.get(STREAMS) == null || options.get(STREAMS).isEmpty())) {
            problems.add(path + ": expected stream (one name) or streams (a list of names), found "
                    + (options.get(STREAM) == null ? "neither" : "both"));
        } else if (options.get(STREAMS) != null && Set.copyOf(options.get(STREAMS)).size()
                != options.get(STREAMS).size()) {
            problems.add(path + ".streams: expected each stream once, found " + options.get(STREAMS));
        }
        String position = options.require(INITIAL_POSITION);
        String timestamp = options.get(INITIAL_TIMESTAMP);
        if (position.equals("at_timestamp") && timestamp == null) {
            problems.add(path + ".initial.timestamp: missing; initial.position at_timestamp needs an instant such "
                    + "as 2026-11-23T10:00:00Z");
        }
        if (timestamp != null) {
            try {
                Instant.parse(timestamp);
            } catch (DateTimeParseException e) {
                problems.add(path + ".initial.timestamp: expected an ISO-8601 instant such as 2026-11-23T10:00:00Z, "
                        + "found \"" + timestamp + "\"");
            }
        }
        int maxRecords = options.require(MAX_RECORDS);
        if (maxRecords < 1 || maxRecords > 10_000) {
            problems.add(path + ".max.records: expected 1 to 10000, found " + maxRecords);
        }
        double reads = options.require(READS_PER_SECOND);
        if (reads <= 0 || reads > 5) {
            problems.add(path + ".reads.per.second: expected more than 0 and at most 5 (Kinesis's limit per shard), "
                    + "found " + reads);
        }
        if (options.require(CHECKPOINT).equals("kafka") && (options.get(CHECKPOINT_PROPERTIES) == null
                || !options.get(CHECKPOINT_PROPERTIES).containsKey("bootstrap.servers"))) {
            problems.add(path + ".checkpoint.properties.bootstrap.servers: missing; checkpoint kafka needs the "
                    + "cluster of its topic");
        }
        if (options.require(READ).equals("fan-out") && (options.get(CONSUMER_NAME) == null
                || !options.get(CONSUMER_NAME).matches("[a-zA-Z0-9_.-]{1,128}"))) {
            problems.add(path + ".consumer.name: read fan-out needs the name of the consumer to register with the "
                    + "stream (1 to 128 letters, digits, _ . -), found " + (options.get(CONSUMER_NAME) == null ? "none"
                    : "\"" + options.get(CONSUMER_NAME) + "\""));
        }
        Duration renewal = options.require(FAN_OUT_RENEWAL);
        if (renewal.isNegative() || renewal.isZero() || renewal.compareTo(Duration.ofMinutes(5)) > 0) {
            problems.add(path + ".fan-out.renewal: expected more than 0 and at most 5 minutes (Kinesis ends a "
                    + "subscription after 5), found " + renewal);
        }
        if (options.require(CHECKPOINT_SHARDS) < 1) {
            problems.add(path + ".checkpoint.shards: expected at least 1, found " + options.require(CHECKPOINT_SHARDS));
        }
        String endpoint = options.get(ENDPOINT);
        if (endpoint != null) {
            try {
                URI uri = URI.create(endpoint);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                problems.add(path + ".endpoint: expected a URL such as http://127.0.0.1:4567, found \"" + endpoint
                        + "\"");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    @Override
    public Source create(Options options, FactoryContext context) {
        check(options);
        List<String> streams = options.get(STREAM) != null ? List.of(options.get(STREAM)) : options.get(STREAMS);
        String stream = String.join("-", streams); // in the default names of checkpoint files, topics and groups
        String timestamp = options.get(INITIAL_TIMESTAMP);
        KinesisSource.Settings settings = new KinesisSource.Settings(streams,
                KinesisSource.InitialPosition.valueOf(options.require(INITIAL_POSITION).toUpperCase(Locale.ROOT)),
                timestamp == null ? null : Instant.parse(timestamp), options.require(MAX_RECORDS),
                options.require(READS_PER_SECOND), options.require(DISCOVERY_INTERVAL),
                options.require(MAX_POLL_RECORDS));
        if (options.require(READ).equals("fan-out")) {
            settings = settings.withFanOut(new KinesisSource.FanOut(options.get(CONSUMER_NAME),
                    options.require(FAN_OUT_RENEWAL)));
        }
        String endpoint = options.get(ENDPOINT);
        URI endpointUri = endpoint == null ? null : URI.create(endpoint);
        KinesisClient client = client(options.get(REGION), endpointUri);
        KinesisAsyncClient asyncClient = settings.fanOut() == null ? null
                : asyncClient(options.get(REGION), endpointUri);
        String where = endpoint == null ? "Kinesis" : endpoint;
        if (options.require(CHECKPOINT).equals("kafka")) {
            Properties cluster = new Properties();
            cluster.putAll(options.get(CHECKPOINT_PROPERTIES));
            String topic = options.get(CHECKPOINT_TOPIC) == null ? "ksf-kinesis-" + stream
                    : options.get(CHECKPOINT_TOPIC);
            String group = options.get(CHECKPOINT_GROUP) == null ? "ksf-kinesis-" + stream
                    : options.get(CHECKPOINT_GROUP);
            return new KinesisSource(client, asyncClient, settings, CheckpointStoreFactory.create("kafka", cluster,
                    topic, options.require(CHECKPOINT_SHARDS), group), where);
        }
        Path file = Path.of(options.get(CHECKPOINT_PATH) == null ? "ksf-checkpoints/kinesis-" + stream + ".json"
                : options.get(CHECKPOINT_PATH));
        return new KinesisSource(client, asyncClient, settings, new FileCheckpointStore(file), where);
    }

    /**
     * The client of enhanced fan-out: HTTP/2 through Netty, which SubscribeToShard needs (over TLS to AWS; a plain
     * {@code http://} endpoint is spoken to in HTTP/2 from the first byte), no SDK retries (the source backs off).
     */
    public static KinesisAsyncClient asyncClient(String region, URI endpoint) {
        return located(KinesisAsyncClient.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2)
                        .connectionTimeout(Duration.ofSeconds(10)).maxConcurrency(1000))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())), region, endpoint)
                .build();
    }

    /** A Kinesis client as KSF builds it: the default credentials chain, no SDK retries (the source backs off). */
    public static KinesisClient client(String region, URI endpoint) {
        RetryStrategy noRetries = AwsRetryStrategy.doNotRetry();
        return located(KinesisClient.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(30)))
                .overrideConfiguration(c -> c.retryStrategy(noRetries).apiCallAttemptTimeout(Duration.ofSeconds(60))),
                region, endpoint).build();
    }

    /** The client's region and endpoint: a local server's endpoint still needs a region for SigV4 signatures. */
    private static <B extends AwsClientBuilder<B, ?>> B located(B builder, String region, URI endpoint) {
        if (region != null) {
            builder.region(Region.of(region));
        } else if (endpoint != null) {
            builder.region(Region.US_EAST_1); // a local server ignores it
        }
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }
}
