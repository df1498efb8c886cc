package io.ksf.kafka;

import io.ksf.contract.SourceContract;
import io.ksf.spi.Source;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/** The kafka source passes the Source contract on a real broker: a topic of two partitions per test. */
@ExtendWith(KafkaBroker.class)
class KafkaSourceContractTest extends SourceContract {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private EmbeddedKafka kafka;
    private String topic;

    @BeforeEach
    void topic(EmbeddedKafka kafka) {
        this.kafka = kafka;
        topic = "source-contract-" + TOPICS.incrementAndGet();
        kafka.createTopic(topic, 2);
    }

    @Override
    protected void produce(List<String> values) {
        kafka.produce(topic, 2, values);
    }

    @Override
    protected Source newSource() {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", topic + "-group");
        props.put("max.poll.records", "5"); // several polls, so a pause has records to hold back
        return new KafkaSource(props, List.of(topic), null);
    }
}
