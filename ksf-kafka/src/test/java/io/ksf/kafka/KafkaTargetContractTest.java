package io.ksf.kafka;

import io.ksf.contract.TargetContract;
import io.ksf.format.json.JsonFormat;
import io.ksf.spi.Target;
import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.KafkaBroker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kafka target (at least once) passes the Target contract on a real broker, a topic per test. It sends records
 * as they are written and appends on a replay, as the contract's two flags say; exactly-once is tested with its
 * source in {@link KafkaTargetTest} and the crash tests.
 */
@ExtendWith(KafkaBroker.class)
class KafkaTargetContractTest extends TargetContract {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private EmbeddedKafka kafka;
    private String topic;

    @BeforeEach
    void topic(EmbeddedKafka kafka) {
        this.kafka = kafka;
        topic = "target-contract-" + TOPICS.incrementAndGet();
        kafka.createTopic(topic, 3);
    }

    @Override
    protected Target newTarget() {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return KafkaTarget.builder(props).topic(topic).format(new JsonFormat()).build();
    }

    @Override
    protected List<String> storedValues() {
        return kafka.read(topic).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    @Override
    protected boolean replayOverwrites() {
        return false;
    }

    @Override
    protected boolean storesOnlyWhenFlushed() {
        return false;
    }
}
