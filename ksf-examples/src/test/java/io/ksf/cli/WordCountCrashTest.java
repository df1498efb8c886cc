package io.ksf.cli;

import io.ksf.processor.SplitProcessor;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import io.ksf.testkit.Wait;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ksf run} counting words on Kafka Streams, killed with SIGKILL mid-count and restarted: exactly once, the
 * final counts in the changelog are exact, not one higher for a replayed line.
 */
@ExtendWith(KafkaBroker.class)
class WordCountCrashTest {
    private static final int KILLS = 3;
    private static final Pattern WORDS = Pattern.compile(SplitProcessor.WORDS);

    @TempDir
    Path dir;

    @Test
    void killedMidCountAndRestartedTheCountsAreExact(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("crash.lines", 3);
        kafka.createTopic("crash.counts", 3);
        List<String> lines = PapersDemo.paper(20_000).lines().filter(line -> !line.isEmpty()).toList();
        Map<String, Long> expected = new HashMap<>();
        for (int upload = 0; upload < 3; upload++) {
            kafka.produce("crash.lines", 3, lines);
            for (String line : lines) {
                for (String word : WORDS.split(line.toLowerCase(Locale.ROOT))) {
                    if (!word.isEmpty()) {
                        expected.merge(word, 1L, Long::sum);
                    }
                }
            }
        }
        Path config = Files.writeString(dir.resolve("count.json"), """
                {"name": "crash-count",
                 "source": {"type": "kafka", "format": "bytes", "topics": ["crash.lines"],
                            "properties": {"bootstrap.servers": "%1$s", "group.id": "crash-count",
                                           "session.timeout.ms": "6000", "heartbeat.interval.ms": "1000"}},
                 "processors": [{"type": "split"}, {"type": "count", "table": "word_counts"}],
                 "target": {"type": "kafka", "topic": "crash.counts", "properties": {"bootstrap.servers": "%1$s"}}}
                """.formatted(kafka.bootstrapServers()));

        Random random = new Random(42);
        Path log = dir.resolve("ksf.log");
        for (int kill = 0; kill < KILLS; kill++) {
            Process ksf = KsfProcess.run(config, log);
            try {
                long before = changelogSize(kafka);
                Wait.until(() -> changelogSize(kafka) > before || !ksf.isAlive(), Duration.ofSeconds(90),
                        "a commit of run " + kill);
                assertThat(ksf.isAlive()).as(Files.readString(log)).isTrue();
                TimeUnit.MILLISECONDS.sleep(random.nextInt(1_500));
            } finally {
                ksf.destroyForcibly(); // SIGKILL
                ksf.waitFor(30, TimeUnit.SECONDS);
            }
        }
        Process last = KsfProcess.run(config, log);
        try {
            Wait.until(() -> table(kafka).equals(expected), Duration.ofSeconds(120), "exact counts");
            last.destroy(); // SIGTERM: graceful
            assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).isZero();
        } finally {
            last.destroyForcibly();
        }
        Map<String, Long> counts = table(kafka);
        System.out.printf("word-count crash-restart: kills %d, lines %,d, words %,d, 'the' %,d (expected %,d), "
                        + "counts that differ %d%n", KILLS, 3 * lines.size(), counts.size(), counts.get("the"),
                expected.get("the"), expected.entrySet().stream()
                        .filter(e -> !e.getValue().equals(counts.get(e.getKey()))).count());
        assertThat(counts).isEqualTo(expected);
    }

    private static long changelogSize(EmbeddedKafka kafka) {
        try {
            return kafka.endOffsets("crash-count-word_counts-changelog").values().stream()
                    .mapToLong(Long::longValue).sum();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The changelog read to its end by a read_committed consumer: the last count of each word. */
    private static Map<String, Long> table(EmbeddedKafka kafka) {
        Map<String, Long> table = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> records;
        try {
            records = kafka.readCommitted("crash-count-word_counts-changelog");
        } catch (IllegalStateException e) {
            return table;
        }
        records.forEach(r -> table.put(new String(r.key(), StandardCharsets.UTF_8),
                Long.parseLong(new String(r.value(), StandardCharsets.UTF_8))));
        return table;
    }
}
