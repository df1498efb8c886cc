package io.ksf.kinesis;

import io.ksf.contract.InMemoryTarget;
import io.ksf.contract.Wait;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.spi.Format;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.Target;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedKinesis;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.KinesisServer;
import io.ksf.testkit.RunningPipeline;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.ksf.kinesis.KinesisSourceTest.awaitActive;
import static io.ksf.kinesis.KinesisSourceTest.client;
import static io.ksf.kinesis.KinesisSourceTest.createStream;
import static io.ksf.kinesis.KinesisSourceTest.put;
import static io.ksf.kinesis.KinesisSourceTest.values;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two kinesis sources that share a stream's shards through their checkpoint topic's group: each reads the shards
 * of its store shards, and a child whose parent the other instance reads starts only once that parent has ended.
 */
@ExtendWith({KafkaBroker.class, KinesisServer.class})
class KinesisSharedShardsTest {
    static {
        EmbeddedKinesis.useAsDefaultCredentials();
    }

    /** What both instances made durable, in the order they did, each record with the instance that stored it. */
    private final List<Durable> durable = new CopyOnWriteArrayList<>();

    private record Durable(String instance, int partition, String value) {
    }

    @Test
    void twoInstancesEachReadTheirShardsAndAChildWaitsForItsParentInTheOtherInstance(EmbeddedKafka kafka,
                                                                                      EmbeddedKinesis kinesis) {
        KinesisClient client = client(kinesis);
        createStream(client, "taps2", 2);
        KinesisSource.Settings settings = new KinesisSource.Settings("taps2",
                KinesisSource.InitialPosition.TRIM_HORIZON, null, 10, 5, Duration.ofMillis(300), 10_000);
        Properties cluster = new Properties();
        cluster.put("bootstrap.servers", kafka.bootstrapServers());
        cluster.put("session.timeout.ms", "6000");
        cluster.put("heartbeat.interval.ms", "500");
        try (RunningPipeline a = RunningPipeline.start(pipeline("a", client(kinesis), settings, cluster));
             RunningPipeline b = RunningPipeline.start(pipeline("b", client(kinesis), settings, cluster))) {
            Wait.until(() -> eachMemberOwnsOnePartition(kafka), Duration.ofSeconds(60),
                    "the group on the checkpoint topic giving each instance one of its two partitions");
            put(client, "taps2", values("before-", 0, 200));
            // shard 0 splits while its records are read, 10 at a time: child 2 is in store shard 0 (the parent's
            // reader's), child 3 in store shard 1 (the other instance's)
            client.splitShard(s -> s.streamName("taps2").shardToSplit("shardId-000000000000")
                    .newStartingHashKey("85070591730234615865843651857942052864"));
            awaitActive(client, "taps2");
            put(client, "taps2", values("after-", 0, 200));
            a.awaitUntil(() -> durable.size() == 400, Duration.ofSeconds(60));
        }
        List<String> stored = durable.stream().map(Durable::value).toList();
        assertThat(stored).doesNotHaveDuplicates().hasSize(durable.size());
        assertThat(stored).containsExactlyInAnyOrderElementsOf(Stream.concat(values("before-", 0, 200).stream(),
                values("after-", 0, 200).stream()).toList());
        String parentReader = readerOf(0);
        assertThat(readerOf(1)).as("shard 1 is read by the instance that does not read shard 0")
                .isNotEqualTo(parentReader);
        assertThat(readerOf(2)).as("child 2 in the parent's store shard").isEqualTo(parentReader);
        assertThat(readerOf(3)).as("child 3 in the other instance's store shard").isNotEqualTo(parentReader);
        int parentsLast = lastIndexOf(0);
        assertThat(firstIndexOf(3)).as("the parent's last record is durable before the other instance's child's first")
                .isGreaterThan(parentsLast);
        assertThat(firstIndexOf(2)).isGreaterThan(parentsLast);
        client.close();
    }

    private Pipeline pipeline(String instance, KinesisClient client, KinesisSource.Settings settings,
                              Properties cluster) {
        return Pipeline.builder().name(instance)
                .source(KinesisSource.withKafkaCheckpoints(client, settings, cluster, "taps2-checkpoints", 2,
                        "taps2"), new BytesFormat("\n"))
                .target(new Recording(instance)).flushEvery(20, 1 << 20, Duration.ofMillis(100))
                .pollTimeout(Duration.ofMillis(100)).build();
    }

    private static boolean eachMemberOwnsOnePartition(EmbeddedKafka kafka) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("taps2")).all().get().get("taps2");
            return group.groupState() == GroupState.STABLE && group.members().size() == 2 && group.members().stream()
                    .allMatch(m -> m.assignment().topicPartitions().size() == 1);
        } catch (InterruptedException | ExecutionException e) {
            return false;
        }
    }

    /** The one instance that stored the shard's records (the test fails when two did). */
    private String readerOf(int partition) {
        Set<String> readers = durable.stream().filter(d -> d.partition() == partition).map(Durable::instance)
                .collect(Collectors.toSet());
        assertThat(readers).as("the instances that stored records of shard " + partition).hasSize(1);
        return readers.iterator().next();
    }

    private int firstIndexOf(int partition) {
        List<Durable> all = List.copyOf(durable);
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).partition() == partition) {
                return i;
            }
        }
        throw new AssertionError("no record of shard " + partition);
    }

    private int lastIndexOf(int partition) {
        List<Durable> all = List.copyOf(durable);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).partition() == partition) {
                return i;
            }
        }
        throw new AssertionError("no record of shard " + partition);
    }

    /** An in-memory target that adds what it made durable to the test's common list, at the moment it does. */
    private final class Recording implements Target {
        private final String instance;
        private final InMemoryTarget memory = new InMemoryTarget();

        Recording(String instance) {
            this.instance = instance;
        }

        @Override
        public void write(List<KsfRecord> records) {
            memory.write(records);
        }

        @Override
        public synchronized Positions flush() {
            int before = memory.stored().size();
            Positions positions = memory.flush();
            List<Durable> flushed = new ArrayList<>();
            memory.stored().subList(before, memory.stored().size()).forEach(r -> flushed.add(new Durable(instance,
                    r.partition(), new String(r.value(), StandardCharsets.UTF_8))));
            durable.addAll(flushed);
            return positions;
        }

        @Override
        public boolean takesUndecoded(Format sourceFormat) {
            return true;
        }

        @Override
        public void discard(Collection<SourcePartition> partitions) {
            memory.discard(partitions);
        }

        @Override
        public void close() {
            memory.close();
        }
    }
}
