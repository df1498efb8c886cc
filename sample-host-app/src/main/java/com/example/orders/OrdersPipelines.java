package com.example.orders;

import io.ksf.config.ConfigLoader;
import io.ksf.format.json.JsonFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.Registry;
import io.ksf.kafka.KafkaSource;
import io.ksf.file.FileTarget;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/** The two ways a host service builds a KSF pipeline: in code, or from a JSON config. */
public final class OrdersPipelines {
    private OrdersPipelines() {
    }

    /** Orders from a Kafka topic, through {@link AddTotalProcessor}, into JSON Lines files under a folder. */
    public static Pipeline inCode(String bootstrapServers, String topic, Path folder, Path deadLetters) {
        Properties consumer = new Properties();
        consumer.put("bootstrap.servers", bootstrapServers);
        consumer.put("group.id", "orders-in-code");
        consumer.put("auto.offset.reset", "earliest");
        JsonFormat json = new JsonFormat();
        return Pipeline.builder()
                .name("orders-in-code")
                .source(new KafkaSource(consumer, List.of(topic), null), json)
                .processor(new AddTotalProcessor())
                .target(new FileTarget(folder, "", json))
                .deadLetter(new FileTarget(deadLetters, "", json))
                .flushEvery(1_000, 1 << 20, Duration.ofSeconds(1))
                .build();
    }

    /**
     * The same from a config file, where {@code {"type": "add-total"}} names the processor; {@code ${NAME}}
     * references are read from the process environment.
     */
    public static Pipeline fromConfig(Path config) {
        return PipelinePlan.resolve(ConfigLoader.withEnvironment(System::getenv).load(config), Registry.load()).build();
    }
}
