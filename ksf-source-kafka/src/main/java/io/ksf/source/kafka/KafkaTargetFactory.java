package io.ksf.source.kafka;

import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Target;
import io.ksf.spi.TargetFactory;

import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The {@code kafka} target: records' original bytes and headers to a topic; the dead-letter topic of a pipeline. */
public final class KafkaTargetFactory implements TargetFactory {
    public static final Option<String> TOPIC = Option.string("topic", "topic to produce to").required();
    public static final Option<Map<String, String>> PROPERTIES = Option.map("properties",
            "Kafka producer properties: bootstrap.servers, security settings ...").required();

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String description() {
        return "Produces each record's original key, value and headers to a topic (dead letters, copies)";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(TOPIC, PROPERTIES);
    }

    @Override
    public Target create(Options options, FactoryContext context) {
        Properties props = new Properties();
        props.putAll(options.require(PROPERTIES));
        return new KafkaTarget(props, options.require(TOPIC));
    }
}
