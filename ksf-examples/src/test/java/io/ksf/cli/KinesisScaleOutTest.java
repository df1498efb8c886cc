package io.ksf.cli;

import io.ksf.contract.Wait;
import io.ksf.kinesis.KinesisSourceFactory;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedKinesis;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.KinesisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three {@code ksf run} processes share an 8-shard Kinesis stream through their checkpoint topic's group, writing to
 * Kafka exactly once while records keep arriving; one is killed with SIGKILL and a fourth joins. Every record is in
 * the topic once, and the processes' logs show each shard read by one instance at a time.
 */
@ExtendWith({KafkaBroker.class, KinesisServer.class})
class KinesisScaleOutTest {
    private static final int RECORDS = 4000;
    private static final Pattern STARTED = Pattern.compile(
            "^(\\S+) .*kinesis source: fleet shard shardId-0*(\\d+) \\(partition \\d+\\) from .*, offset (\\d+)$");
    private static final Pattern GIVEN_UP = Pattern.compile(
            "^(\\S+) .*kinesis source: stream fleet (?:given up|lost) to another instance.*: shards \\[(.*)]$");

    static {
        EmbeddedKinesis.useAsDefaultCredentials();
    }

    @TempDir
    Path dir;

    /** One instance reading one shard, from {@code from} to {@code to} (wall clock of this machine). */
    private record Reading(String instance, int shard, LocalTime from, LocalTime to, long offset) {
    }

    @Test
    void instancesShareTheShardsAndEveryRecordIsInTheTopicOnceThroughAKillAndAJoin(EmbeddedKafka kafka,
                                                                                   EmbeddedKinesis kinesis)
            throws Exception {
        KinesisClient client = KinesisSourceFactory.client(EmbeddedKinesis.REGION, kinesis.endpoint());
        client.createStream(b -> b.streamName("fleet").shardCount(8));
        Wait.until(() -> client.describeStreamSummary(b -> b.streamName("fleet")).streamDescriptionSummary()
                .streamStatus() == StreamStatus.ACTIVE, Duration.ofSeconds(30), "the stream active");
        kafka.createTopic("fleet-out", 3);
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "kinesis", "stream": "fleet", "endpoint": "%1$s", "region": "us-east-1",
                            "reads.per.second": 5, "max.records": 20, "shard.discovery.interval": "1s",
                            "checkpoint": "kafka", "checkpoint.shards": 8,
                            "checkpoint.properties": {"bootstrap.servers": "%2$s", "session.timeout.ms": "6000",
                                                      "heartbeat.interval.ms": "1000"}},
                 "target": {"type": "kafka", "topic": "fleet-out", "exactly.once": true,
                            "properties": {"bootstrap.servers": "%2$s"}},
                 "pipeline": {"flush.records": 40, "flush.interval": "300ms", "poll.timeout": "200ms"}}
                """.formatted(kinesis.endpoint(), kafka.bootstrapServers()));
        Map<String, Path> logs = new LinkedHashMap<>();
        Map<String, Process> processes = new LinkedHashMap<>();
        for (String instance : List.of("a", "b", "c")) {
            logs.put(instance, dir.resolve(instance + ".log"));
            processes.put(instance, KsfProcess.run(config, logs.get(instance)));
        }
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (int from = 0; from < RECORDS; from += 100) { // 100 records every 250 ms: 10 s of arrivals
                put(client, from, from + 100);
                sleep(250);
            }
        });
        LocalTime killedAt;
        try {
            Wait.until(() -> stored(kafka) >= 800, Duration.ofSeconds(90), "800 records in the topic");
            Map<String, List<Integer>> shared = reading(logs);
            System.out.println("kinesis scale-out: shards read by each of 3 instances: " + shared);
            assertThat(shared.values()).as("each instance reads some shards").allMatch(shards -> !shards.isEmpty());
            processes.get("b").destroyForcibly(); // SIGKILL, mid-stream
            processes.get("b").waitFor(30, TimeUnit.SECONDS);
            killedAt = LocalTime.now();
            Wait.until(() -> stored(kafka) >= 2000, Duration.ofSeconds(90), "2000 records in the topic");
            logs.put("d", dir.resolve("d.log"));
            processes.put("d", KsfProcess.run(config, logs.get("d")));
            producer.get(60, TimeUnit.SECONDS);
            Wait.until(() -> stored(kafka) == RECORDS, Duration.ofSeconds(120), "every record in the topic");
            Wait.until(() -> reading(logs).get("d") != null && !reading(logs).get("d").isEmpty(),
                    Duration.ofSeconds(60), "the joined instance reading shards");
            Map<String, List<Integer>> after = reading(logs);
            after.remove("b");
            System.out.println("kinesis scale-out: after b's kill and d's join: " + after);
            for (String instance : List.of("a", "c", "d")) {
                processes.get(instance).destroy(); // SIGTERM
                assertThat(processes.get(instance).waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            processes.values().forEach(Process::destroyForcibly);
            producer.cancel(true);
        }

        List<String> values = kafka.readCommitted("fleet-out").stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        long distinct = new HashSet<>(values).size();
        System.out.printf("kinesis scale-out to kafka (exactly once): 8 shards, instances 3, killed 1, joined 1, "
                + "records %,d, stored %,d, lost %d, duplicated %d%n", RECORDS, values.size(), RECORDS - distinct,
                values.size() - distinct);
        assertThat(new HashSet<>(values)).isEqualTo(new HashSet<>(IntStream.range(0, RECORDS)
                .mapToObj(n -> "record-" + n).toList()));
        assertThat(values).hasSize(RECORDS);

        List<Reading> readings = readings(logs, "b", killedAt);
        Map<Integer, List<Reading>> byShard = new TreeMap<>();
        readings.forEach(r -> byShard.computeIfAbsent(r.shard(), s -> new ArrayList<>()).add(r));
        assertThat(byShard.keySet()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        for (List<Reading> shard : byShard.values()) {
            shard.sort((x, y) -> x.from().compareTo(y.from()));
            for (int i = 1; i < shard.size(); i++) {
                assertThat(shard.get(i).from()).as("shard %d: %s starts after %s stopped", shard.get(i).shard(),
                        shard.get(i), shard.get(i - 1))
                        .isAfterOrEqualTo(Objects.requireNonNullElse(shard.get(i - 1).to(), LocalTime.MAX));
                assertThat(shard.get(i).offset()).as("shard %d resumes where it was", shard.get(i).shard())
                        .isGreaterThanOrEqualTo(shard.get(i - 1).offset());
            }
        }
        System.out.printf("kinesis scale-out: %d readings of 8 shards by 4 instances, none overlapping%n",
                readings.size());
        client.close();
    }

    /** Each instance's shards being read now, from the starts and give-ups in its log. */
    private static Map<String, List<Integer>> reading(Map<String, Path> logs) {
        Map<String, List<Integer>> now = new TreeMap<>();
        readings(logs, null, null).stream().filter(r -> r.to() == null)
                .forEach(r -> now.computeIfAbsent(r.instance(), i -> new ArrayList<>()).add(r.shard()));
        logs.keySet().forEach(instance -> now.putIfAbsent(instance, List.of()));
        now.replaceAll((instance, shards) -> List.copyOf(new TreeSet<>(shards)));
        return now;
    }

    /**
     * Every stretch in which an instance read a shard: from the line that starts it to the line that gives its store
     * shard up, the kill of a killed instance, or (still open) null.
     */
    private static List<Reading> readings(Map<String, Path> logs, String killed, LocalTime killedAt) {
        List<Reading> readings = new ArrayList<>();
        logs.forEach((instance, log) -> {
            Map<Integer, Reading> open = new TreeMap<>();
            for (String line : read(log).lines().toList()) {
                Matcher started = STARTED.matcher(line);
                Matcher givenUp = GIVEN_UP.matcher(line);
                if (started.matches()) {
                    int shard = Integer.parseInt(started.group(2));
                    open.put(shard, new Reading(instance, shard, LocalTime.parse(started.group(1)), null,
                            Long.parseLong(started.group(3))));
                } else if (givenUp.matches()) {
                    for (String partition : givenUp.group(2).split(", ")) {
                        Reading reading = open.remove(Integer.parseInt(partition.substring("fleet/".length())));
                        readings.add(new Reading(instance, reading.shard(), reading.from(),
                                LocalTime.parse(givenUp.group(1)), reading.offset()));
                    }
                }
            }
            open.values().forEach(r -> readings.add(instance.equals(killed)
                    ? new Reading(instance, r.shard(), r.from(), killedAt, r.offset()) : r));
        });
        return readings;
    }

    private static void put(KinesisClient client, int from, int to) {
        List<PutRecordsRequestEntry> entries = IntStream.range(from, to)
                .mapToObj(n -> PutRecordsRequestEntry.builder().partitionKey("k" + n)
                        .data(SdkBytes.fromUtf8String("record-" + n)).build()).toList();
        assertThat(client.putRecords(b -> b.streamName("fleet").records(entries)).failedRecordCount()).isZero();
    }

    private static long stored(EmbeddedKafka kafka) {
        return kafka.readCommitted("fleet-out").size();
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
