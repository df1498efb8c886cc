package io.ksf.kafka;

import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Source;
import io.ksf.spi.SourceFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The {@code kafka} source: a Kafka or Amazon MSK topic list or pattern, read by a consumer group. */
public final class KafkaSourceFactory implements SourceFactory {
    public static final Option<List<String>> TOPICS = Option.list("topics", "topics to read");
    public static final Option<String> TOPICS_REGEX = Option.string("topics.regex",
            "a regular expression of topics to read, instead of topics");
    public static final Option<Map<String, String>> PROPERTIES = Option.map("properties",
            "Kafka consumer properties: bootstrap.servers, group.id, auto.offset.reset ...").required();
    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String description() {
        return "Reads a Kafka / Amazon MSK topic list or pattern as a consumer group; commits after the target";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> options = new ArrayList<>(List.of(TOPICS, TOPICS_REGEX, PROPERTIES));
        options.addAll(KafkaClientOptions.AUTH_OPTIONS);
        return options;
    }

    @Override
    public void check(Options options) {
        List<String> problems = new ArrayList<>();
        boolean hasTopics = options.get(TOPICS) != null && !options.get(TOPICS).isEmpty();
        if (hasTopics == (options.get(TOPICS_REGEX) != null)) {
            problems.add(options.path() + ": expected exactly one of topics, topics.regex");
        }
        if (options.get(TOPICS_REGEX) != null) {
            try {
                Pattern.compile(options.get(TOPICS_REGEX));
            } catch (PatternSyntaxException e) {
                problems.add(options.path() + ".topics.regex: expected a regular expression, found \""
                        + options.get(TOPICS_REGEX) + "\" (" + e.getDescription() + ")");
            }
        }
        String reset = options.require(PROPERTIES).getOrDefault("auto.offset.reset", "earliest");
        if (!List.of("earliest", "latest", "none").contains(reset)) {
            problems.add(options.path() + ".properties.auto.offset.reset: expected one of earliest, latest, none, "
                    + "found \"" + reset + "\"");
        }
        String groupId = options.require(PROPERTIES).get("group.id");
        if (groupId == null || groupId.isBlank()) {
            problems.add(options.path() + ".properties.group.id: missing; expected the consumer group id, "
                    + "shared by every instance of this pipeline");
        }
        problems.addAll(KafkaClientOptions.problems(options));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    @Override
    public Source create(Options options, FactoryContext context) {
        check(options);
        String regex = options.get(TOPICS_REGEX);
        return new KafkaSource(consumerProperties(options), regex == null ? options.require(TOPICS) : List.of(),
                regex == null ? null : Pattern.compile(regex));
    }

    /**
     * The consumer properties: auth defaults, then the user's properties, then KSF's defaults. A consumer reads
     * only committed transactions unless told otherwise, so aborted output of a transactional producer (such as
     * an exactly-once KSF pipeline) never reaches the target.
     */
    static Properties consumerProperties(Options options) {
        Properties props = KafkaClientOptions.properties(options, options.require(PROPERTIES));
        props.putIfAbsent("auto.offset.reset", "earliest");
        props.putIfAbsent("isolation.level", "read_committed");
        return props;
    }
}
