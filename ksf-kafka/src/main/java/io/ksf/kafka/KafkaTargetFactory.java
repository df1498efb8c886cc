package io.ksf.kafka;

import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Target;
import io.ksf.spi.TargetFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code kafka} target: records to Kafka / Amazon MSK topics, routed and keyed per record, at least once, or
 * exactly once from a Kafka source on the same cluster. As the dead-letter destination it writes each bad
 * record's original bytes and headers.
 */
public final class KafkaTargetFactory implements TargetFactory {
    public static final Option<String> TOPIC = Option.string("topic",
            "topic to produce to; ${topic} stands for the source's topic, as in ${topic}.curated");
    public static final Option<String> TOPIC_FIELD = Option.string("topic.field",
            "dotted path of the field that names each record's topic, instead of topic");
    public static final Option<String> KEY = Option.choice("key",
            "the record key: the source's key, none, or a field (key.field)", "source", "none", "field")
            .defaultValue("source");
    public static final Option<String> KEY_FIELD = Option.string("key.field",
            "dotted path of the field that becomes the key (with key field); text as is, objects as JSON");
    public static final Option<Boolean> ORIGIN_HEADERS = Option.bool("headers.origin",
            "add ksf.origin.topic, .partition, .offset and .timestamp headers").defaultValue(false);
    public static final Option<Boolean> EXACTLY_ONCE = Option.bool("exactly.once",
            "transactions that carry the source's offsets: each record once for read_committed readers "
                    + "(kafka source on the same cluster); otherwise at least once").defaultValue(false);
    public static final Option<Map<String, String>> PROPERTIES = Option.map("properties",
            "Kafka producer properties: bootstrap.servers, linger.ms, compression.type ...").required();

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String description() {
        return "Produces records to Kafka / Amazon MSK topics (routed, keyed, at least once or exactly once)";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> options = new ArrayList<>(List.of(TOPIC, TOPIC_FIELD, KEY, KEY_FIELD, ORIGIN_HEADERS,
                EXACTLY_ONCE, PROPERTIES));
        options.addAll(KafkaClientOptions.AUTH_OPTIONS);
        return options;
    }

    @Override
    public void check(Options options) {
        List<String> problems = new ArrayList<>();
        if ((options.get(TOPIC) == null) == (options.get(TOPIC_FIELD) == null)) {
            problems.add(options.path() + ": expected exactly one of topic, topic.field");
        }
        String topicProblem = options.get(TOPIC) == null ? null : KafkaRouting.templateProblem(options.get(TOPIC));
        if (topicProblem != null) {
            problems.add(options.path() + ".topic: " + topicProblem);
        }
        boolean keyFromField = "field".equals(options.get(KEY));
        if (keyFromField != (options.get(KEY_FIELD) != null)) {
            problems.add(options.path() + (keyFromField ? ".key.field: missing; key field needs the dotted path of "
                    + "the key's field" : ".key: expected field with key.field, found " + options.get(KEY)));
        }
        if (!options.require(PROPERTIES).containsKey("bootstrap.servers")) {
            problems.add(options.path() + ".properties.bootstrap.servers: missing; expected the brokers, "
                    + "host:port[,host:port]");
        }
        if (options.require(EXACTLY_ONCE) && options.require(PROPERTIES).containsKey("enable.idempotence")
                && !Boolean.parseBoolean(options.require(PROPERTIES).get("enable.idempotence"))) {
            problems.add(options.path() + ".properties.enable.idempotence: exactly.once needs true, found false");
        }
        problems.addAll(KafkaClientOptions.problems(options));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    @Override
    public Target create(Options options, FactoryContext context) {
        check(options);
        KafkaTarget.Builder builder = KafkaTarget.builder(KafkaClientOptions.properties(options,
                        options.require(PROPERTIES)))
                .originHeaders(options.require(ORIGIN_HEADERS)).exactlyOnce(options.require(EXACTLY_ONCE));
        if (options.get(TOPIC) != null) {
            builder.topic(options.get(TOPIC));
        } else {
            builder.topicField(options.get(TOPIC_FIELD));
        }
        switch (options.require(KEY)) {
            case "none" -> builder.noKey();
            case "field" -> builder.keyField(options.get(KEY_FIELD));
            default -> {
                // the source's key
            }
        }
        // dead letters keep their original bytes; other records are encoded with the configured format
        return builder.format(context == null || context.deadLetters() ? null : context.format()).build();
    }
}
