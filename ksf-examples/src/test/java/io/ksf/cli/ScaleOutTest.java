package io.ksf.cli;

import io.ksf.contract.Folders;
import io.ksf.contract.Wait;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three {@code ksf run} processes in one group on a 12-partition topic, writing to one folder; one is killed with
 * SIGKILL mid-stream and a fourth joins: every record lies in exactly one object at the end, and the logs show the
 * rebalances. Figures go to stdout as a {@code scale-out: ...} line.
 */
@ExtendWith(KafkaBroker.class)
class ScaleOutTest {
    private static final int RECORDS = 150_000;

    @TempDir
    Path dir;

    @Test
    void membersComeAndGoAndEveryRecordIsStoredOnce(EmbeddedKafka kafka) throws Exception {
        String topic = "scale-out";
        kafka.createTopic(topic, 12);
        kafka.produce(topic, 12, values(0, RECORDS));
        Path config = Files.writeString(dir.resolve("pipeline.json"), """
                {"source": {"type": "kafka", "format": "json", "topics": ["%s"],
                            "properties": {"bootstrap.servers": "%s", "group.id": "%s", "max.poll.records": "500",
                                           "session.timeout.ms": "6000", "heartbeat.interval.ms": "1000"}},
                 "target": {"type": "file", "path": "%s"},
                 "pipeline": {"mode": "async", "flush.records": 2000, "flush.interval": "1s", "poll.timeout": "200ms"}}
                """.formatted(topic, kafka.bootstrapServers(), topic, dir.resolve("out")));
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger produced = new AtomicInteger(RECORDS);
        Thread producer = new Thread(() -> {
            while (producing.get() && produced.get() < 2 * RECORDS) {
                int from = produced.get();
                kafka.produce(topic, 12, values(from, from + 1_200));
                produced.addAndGet(1_200);
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
        }, "more-records");
        producer.start();

        List<Process> members = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                logs.add(dir.resolve("member-" + i + ".log"));
                members.add(KsfProcess.run(config, logs.get(i)));
            }
            Wait.until(() -> logs.stream().allMatch(log -> read(log).contains("partitions assigned: [" + topic)),
                    Duration.ofSeconds(60), "all three members to get partitions");
            long before = committedSum(kafka, topic);
            Wait.until(() -> committedSum(kafka, topic) > before + 20_000, Duration.ofSeconds(60), "progress");

            members.get(1).destroyForcibly(); // SIGKILL: its partitions move after the session timeout
            members.get(1).waitFor(30, TimeUnit.SECONDS);
            logs.add(dir.resolve("member-3.log"));
            members.add(KsfProcess.run(config, logs.get(3)));
            Wait.until(() -> read(logs.get(3)).contains("partitions assigned: [" + topic), Duration.ofSeconds(60),
                    "the new member to get partitions");

            producing.set(false);
            producer.join();
            Wait.until(() -> kafka.committed(topic, topic).equals(kafka.endOffsets(topic)), Duration.ofSeconds(120),
                    "everything committed");
            for (int i : new int[]{0, 2, 3}) {
                members.get(i).destroy(); // SIGTERM
                assertThat(members.get(i).waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(members.get(i).exitValue()).as(read(logs.get(i))).isZero();
            }
        } finally {
            members.forEach(Process::destroyForcibly);
        }

        List<String> stored = Folders.lines(dir.resolve("out"));
        int total = produced.get();
        long distinct = new HashSet<>(stored).size();
        long rebalances = logs.stream().mapToLong(log -> read(log).lines()
                .filter(line -> line.contains("partitions revoked") || line.contains("partitions lost")).count()).sum();
        System.out.printf("scale-out: members 3, killed 1, added 1, partitions 12, records %,d, stored %,d, lost %d, "
                + "duplicated %d, revocations logged %d%n", total, stored.size(), total - distinct,
                stored.size() - distinct, rebalances);
        assertThat(distinct).isEqualTo(total);
        assertThat(stored).hasSize(total);
        assertThat(rebalances).as("rebalances in the logs").isPositive();
        assertThat(new HashSet<>(stored).equals(new HashSet<>(values(0, total)))).isTrue();
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static long committedSum(EmbeddedKafka kafka, String topic) {
        return kafka.committed(topic, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    private static List<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(n -> "{\"n\":" + n + "}").toList();
    }
}
