package io.ksf.testkit;

/**
 * Gives tests a real Kafka broker ({@link EmbeddedKafka}), one per test JVM.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBroker.class)
 * class MyTest {
 *     @Test
 *     void reads(EmbeddedKafka kafka) { kafka.createTopic("orders", 3); ... }
 * }
 * }</pre>
 */
public final class KafkaBroker extends SharedServer<EmbeddedKafka> {
    public KafkaBroker() {
        super(EmbeddedKafka.class, EmbeddedKafka::start);
    }
}
