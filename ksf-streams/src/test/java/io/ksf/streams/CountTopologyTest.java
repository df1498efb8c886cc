package io.ksf.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.format.json.JsonFormat;
import io.ksf.processor.SplitProcessor;
import io.ksf.spi.ConfigException;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Options;
import io.ksf.spi.Processor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The count topology on Kafka Streams' test driver: counts, the Faust-compatible changelog, dead letters. */
class CountTopologyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAPER = "The cat sat on the mat.\n\nThe end, said the cat.\n";
    private static final Processor WORDS = new SplitProcessor(null, Pattern.compile(SplitProcessor.WORDS), true);

    private static TopologyTestDriver driver(CountTopology.Settings settings) {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "word-count");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return new TopologyTestDriver(CountTopology.build(settings), properties);
    }

    private static void pipe(TopologyTestDriver driver, String text) {
        TestInputTopic<byte[], byte[]> lines = driver.createInputTopic("papers.lines", new ByteArraySerializer(),
                new ByteArraySerializer());
        text.lines().filter(line -> !line.isEmpty())
                .forEach(line -> lines.pipeInput(line.getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, String> latest(TopologyTestDriver driver, String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), new StringDeserializer())
                .readKeyValuesToMap();
    }

    @Test
    void threeUploadsOfThePaperGiveThreeTimesEachCountInTheOutputAndTheFaustChangelog() throws IOException {
        CountTopology.Settings settings = new CountTopology.Settings(List.of("papers.lines"), new BytesFormat("\n"),
                List.of(WORDS), new CountStep("word_counts", null, false, null), "word-counts", null);
        try (TopologyTestDriver driver = driver(settings)) {
            pipe(driver, PAPER);
            assertThat(latest(driver, "word-count-word_counts-changelog")).containsEntry("the", "4");
            pipe(driver, PAPER);
            pipe(driver, PAPER);

            Map<String, String> changelog = latest(driver, "word-count-word_counts-changelog");
            assertThat(changelog).containsEntry("the", "12").containsEntry("cat", "6").containsEntry("end", "3")
                    .hasSize(7);
            Map<String, String> output = latest(driver, "word-counts");
            JsonNode the = JSON.readTree(output.get("the"));
            assertThat(the.toString()).isEqualTo("{\"key\":\"the\",\"count\":12}");
            assertThat(output).hasSize(7);
        }
    }

    @Test
    void aRecordThatFailsGoesToTheDeadLetterTopicWithItsOriginWhileTheRestIsCounted() throws IOException {
        Processor rejectEnd = record -> {
            if (new String(record.value(), StandardCharsets.UTF_8).contains("end")) {
                throw new InvalidRecordException("invalid record: no ends here");
            }
            return List.of(record);
        };
        CountTopology.Settings settings = new CountTopology.Settings(List.of("papers.lines"), new BytesFormat("\n"),
                List.of(rejectEnd, WORDS), new CountStep("word_counts", null, true, null), "word-counts", "papers.dlq");
        try (TopologyTestDriver driver = driver(settings)) {
            pipe(driver, PAPER);

            assertThat(latest(driver, "word-counts")).containsOnlyKeys("the", "cat", "sat", "on", "mat");
            List<byte[]> dead = driver.createOutputTopic("papers.dlq", new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()).readValuesToList();
            assertThat(dead).hasSize(1);
            JsonNode letter = JSON.readTree(dead.get(0));
            assertThat(letter.at("/origin/topic").asText()).isEqualTo("papers.lines");
            assertThat(letter.at("/origin/offset").asLong()).isEqualTo(1);
            assertThat(letter.at("/error/message").asText()).isEqualTo("invalid record: no ends here");
            assertThat(letter.at("/value").asText()).isEqualTo("The end, said the cat.");
        }
    }

    @Test
    void aggregateSumsAndMaximaOfAFieldByAnotherFieldGoToTheTableAndTheOutput() throws IOException {
        String[] orders = {"{\"user\":\"ann\",\"amount\":2.50}", "{\"user\":\"bob\",\"amount\":10}",
                "{\"user\":\"ann\",\"amount\":\"7.25\"}", "{\"user\":\"ann\",\"amount\":\"lots\"}"};
        for (AggregateStep.Function function : List.of(AggregateStep.Function.SUM, AggregateStep.Function.MAX)) {
            CountTopology.Settings settings = new CountTopology.Settings(List.of("orders"), new JsonFormat(),
                    List.of(), new AggregateStep("totals", "amount", function, "user", false, null), "totals",
                    "orders.dlq");
            try (TopologyTestDriver driver = driver(settings)) {
                TestInputTopic<byte[], byte[]> input = driver.createInputTopic("orders", new ByteArraySerializer(),
                        new ByteArraySerializer());
                for (String order : orders) {
                    input.pipeInput(order.getBytes(StandardCharsets.UTF_8));
                }
                String name = function.name().toLowerCase(Locale.ROOT);
                Map<String, String> output = latest(driver, "totals");
                assertThat(output.get("ann")).isEqualTo("{\"key\":\"ann\",\"" + name + "\":"
                        + (function == AggregateStep.Function.SUM ? "9.75" : "7.25") + "}");
                assertThat(output.get("bob")).isEqualTo("{\"key\":\"bob\",\"" + name + "\":10}");
                assertThat(latest(driver, "word-count-totals-changelog"))
                        .containsEntry("ann", function == AggregateStep.Function.SUM ? "9.75" : "7.25");
                List<byte[]> dead = driver.createOutputTopic("orders.dlq", new ByteArrayDeserializer(),
                        new ByteArrayDeserializer()).readValuesToList();
                assertThat(JSON.readTree(dead.get(0)).at("/error/message").asText())
                        .isEqualTo("invalid record: field 'amount' is not a number, found \"lots\"");
            }
        }
    }

    @Test
    void theCountStepRefusesToRunInKsfsOwnRuntime() {
        CountStep step = new CountStep("t", null, true, null);
        assertThatThrownBy(() -> step.process(KsfRecord.of("t", 0, 0, "x")))
                .hasMessageContaining("runs on Kafka Streams");
    }

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    /** Pipes lines at their times (seconds after T0) and returns every output value, in order. */
    private static List<String> countWindowed(Window window, Object... secondsAndLines) {
        CountTopology.Settings settings = new CountTopology.Settings(List.of("papers.lines"), new BytesFormat("\n"),
                List.of(WORDS), new CountStep("word_counts", null, false, window), "word-counts", null);
        try (TopologyTestDriver driver = driver(settings)) {
            TestInputTopic<byte[], byte[]> lines = driver.createInputTopic("papers.lines", new ByteArraySerializer(),
                    new ByteArraySerializer());
            for (int i = 0; i < secondsAndLines.length; i += 2) {
                lines.pipeInput(null, ((String) secondsAndLines[i + 1]).getBytes(StandardCharsets.UTF_8),
                        T0.plusSeconds((Integer) secondsAndLines[i]));
            }
            return driver.createOutputTopic("word-counts", new StringDeserializer(), new StringDeserializer())
                    .readKeyValuesToList().stream().map(kv -> kv.key + " " + kv.value).toList();
        }
    }

    @Test
    void aTumblingWindowCountsEachMinuteApartAndKeysItsOutputByWordAndStart() {
        Window minute = new Window(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ZERO, false);
        List<String> output = countWindowed(minute, 0, "the cat", 30, "The", 61, "the");

        assertThat(output).containsExactly(
                "the@2026-11-23T10:00:00Z {\"key\":\"the\",\"window_start\":\"2026-11-23T10:00:00Z\","
                        + "\"window_end\":\"2026-11-23T10:01:00Z\",\"count\":1}",
                "cat@2026-11-23T10:00:00Z {\"key\":\"cat\",\"window_start\":\"2026-11-23T10:00:00Z\","
                        + "\"window_end\":\"2026-11-23T10:01:00Z\",\"count\":1}",
                "the@2026-11-23T10:00:00Z {\"key\":\"the\",\"window_start\":\"2026-11-23T10:00:00Z\","
                        + "\"window_end\":\"2026-11-23T10:01:00Z\",\"count\":2}",
                "the@2026-11-23T10:01:00Z {\"key\":\"the\",\"window_start\":\"2026-11-23T10:01:00Z\","
                        + "\"window_end\":\"2026-11-23T10:02:00Z\",\"count\":1}");
    }

    @Test
    void aHoppingWindowCountsARecordInEachWindowThatHoldsIt() {
        Window hopping = new Window(Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ZERO, false);
        List<String> output = countWindowed(hopping, 10, "cat", 45, "cat");

        assertThat(output).extracting(line -> line.substring(0, line.indexOf(' '))
                        + line.substring(line.lastIndexOf(':')))
                .containsExactly("cat@2026-11-23T09:59:30Z:1}", "cat@2026-11-23T10:00:00Z:1}",
                        "cat@2026-11-23T10:00:00Z:2}", "cat@2026-11-23T10:00:30Z:1}");
    }

    @Test
    void emitOnCloseWritesOneFinalCountPerWindowAndDropsRecordsLaterThanTheGrace() {
        Window minute = new Window(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofSeconds(10), true);
        List<String> output = countWindowed(minute, 0, "the", 20, "the the", 65, "cat", 55, "the", 70, "cat",
                50, "the", 130, "the");

        // [10:00, 10:01) closes at 10:01:10: the 'the' of 55 s, read at 65 s, still counts, the one of 50 s, read
        // at 70 s, is dropped. [10:01, 10:02) closes at 10:02:10, [10:02, 10:03) is still open.
        assertThat(output).extracting(line -> line.substring(0, line.indexOf(' '))
                        + line.substring(line.lastIndexOf(':')))
                .containsExactly("the@2026-11-23T10:00:00Z:4}", "cat@2026-11-23T10:01:00Z:2}");
    }

    @Test
    void windowOptionsAreCheckedNamingTheKey() {
        CountProcessorFactory factory = new CountProcessorFactory();
        assertThatThrownBy(() -> factory.create(Options.of("processors[1]", factory.options(),
                Map.of("window.size", "1m", "window.advance", "2m")), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("processors[1].window.advance: expected a positive duration no longer than window.size "
                        + "(PT1M), found PT2M");
        assertThatThrownBy(() -> factory.create(Options.of("processors[1]", factory.options(),
                Map.of("window.advance", "30s")), null))
                .hasMessageStartingWith("processors[1].window.advance: set window.size too");
        CountStep step = (CountStep) factory.create(Options.of("processors[1]", factory.options(),
                Map.of("window.size", "5m", "window.emit", "close")), null);
        assertThat(step.window()).isEqualTo(new Window(Duration.ofMinutes(5), Duration.ofMinutes(5),
                Duration.ofSeconds(30), true));
        AggregateProcessorFactory aggregates = new AggregateProcessorFactory();
        AggregateStep sum = (AggregateStep) aggregates.create(Options.of("processors[1]", aggregates.options(),
                Map.of("field", "amount", "window.size", "1h", "window.advance", "10m")), null);
        assertThat(sum.window().advance()).isEqualTo(Duration.ofMinutes(10));
    }
}
