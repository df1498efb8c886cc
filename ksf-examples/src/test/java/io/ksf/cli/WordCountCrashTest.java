package io.ksf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.contract.Wait;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ksf run} counting words on Kafka Streams, killed with SIGKILL mid-count and restarted: exactly once, the
 * final counts in the changelog and in the output topic (both read_committed) are exact, not one higher for a
 * replayed line.
 */
@ExtendWith(KafkaBroker.class)
class WordCountCrashTest {
    private static final int KILLS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void killedMidCountAndRestartedTheCountsAreExact(EmbeddedKafka kafka) throws Exception {
        kafka.createTopic("crash.lines", 3);
        kafka.createTopic("crash.counts", 3);
        // the expected counts come from how the lines are made, not from splitting them again
        Map<String, Long> expected = new HashMap<>();
        List<String> lines = lines(50_000, expected);
        expected.replaceAll((word, count) -> count * KILLS);
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
        int killedMidCount = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            kafka.produce("crash.lines", 3, lines); // a new copy for each run, so that each is killed mid-count
            Process ksf = KsfProcess.run(config, log);
            try {
                long before = changelogSize(kafka);
                Wait.until(() -> changelogSize(kafka) > before || !ksf.isAlive(), Duration.ofSeconds(90),
                        "a commit of run " + kill);
                assertThat(ksf.isAlive()).as(Files.readString(log)).isTrue();
                TimeUnit.MILLISECONDS.sleep(random.nextInt(1_000));
                if (!kafka.committed("crash-count", "crash.lines").equals(kafka.endOffsets("crash.lines"))) {
                    killedMidCount++; // lines were left to count: some of what it counted is not yet committed
                }
            } finally {
                ksf.destroyForcibly(); // SIGKILL
                ksf.waitFor(30, TimeUnit.SECONDS);
            }
        }
        long lastStart = Files.size(log);
        Process last = KsfProcess.run(config, log);
        try {
            // at work before it is stopped: a SIGTERM during start-up would not test a graceful stop
            Wait.until(() -> KsfProcess.logSince(log, lastStart).contains("-> RUNNING")
                    || !last.isAlive(), Duration.ofSeconds(90), "the last run at work");
            Wait.until(() -> table(kafka).equals(expected), Duration.ofSeconds(120), "exact counts");
            last.destroy(); // SIGTERM: graceful
            assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).isZero();
        } finally {
            last.destroyForcibly();
        }
        Map<String, Long> counts = table(kafka);
        Map<String, Long> output = output(kafka);
        System.out.printf("word-count crash-restart: kills %d (%d with lines left to count), lines %,d, words %,d, 'the' %,d (expected %,d), "
                        + "counts that differ %d in the changelog, %d in the output topic%n", KILLS, killedMidCount,
                KILLS * lines.size(), counts.size(), output.get("the"), expected.get("the"), differing(expected, counts),
                differing(expected, output));
        assertThat(killedMidCount).as("kills that landed with lines left to count").isPositive();
        assertThat(counts).as("the changelog's counts").isEqualTo(expected);
        assertThat(output).as("the last count of each word in the output topic, read_committed").isEqualTo(expected);
    }

    /**
     * Lines of words as people write them: capitals, punctuation, quotes, apostrophes inside words, accents and
     * runs of separators; {@code counts} gets each word as the documented split should find it (lower case).
     */
    private static List<String> lines(int count, Map<String, Long> counts) {
        String[] words = {"the", "kafka", "stream", "don't", "o'clock", "café", "naïve", "record", "offset", "a",
                "2026", "x1", "of", "partition", "l'été"};
        String[] separators = {" ", "  ", " - ", "\t", ", ", "; ", " (", ") ", " \"", "\" ", "... ", " '", "' "};
        Random random = new Random(7);
        List<String> lines = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            StringBuilder line = new StringBuilder();
            int length = 1 + random.nextInt(12);
            for (int w = 0; w < length; w++) {
                String word = words[random.nextInt(words.length)];
                counts.merge(word, 1L, Long::sum);
                String written = switch (random.nextInt(3)) {
                    case 0 -> word.toUpperCase(Locale.ROOT);
                    case 1 -> Character.toUpperCase(word.charAt(0)) + word.substring(1);
                    default -> word;
                };
                line.append(w == 0 ? "" : separators[random.nextInt(separators.length)]).append(written);
            }
            lines.add(line.append(random.nextBoolean() ? "." : "").toString());
        }
        return lines;
    }

    private static long differing(Map<String, Long> expected, Map<String, Long> counts) {
        Set<String> words = new HashSet<>(expected.keySet());
        words.addAll(counts.keySet());
        return words.stream().filter(word -> !Objects.equals(expected.get(word), counts.get(word))).count();
    }

    /** The output topic read by a read_committed consumer: the last count of each word, from its JSON update. */
    private static Map<String, Long> output(EmbeddedKafka kafka) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.readCommitted("crash.counts")) {
            JsonNode update = JSON.readTree(record.value());
            assertThat(update.get("key").asText()).isEqualTo(new String(record.key(), StandardCharsets.UTF_8));
            counts.put(update.get("key").asText(), update.get("count").asLong());
        }
        return counts;
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
