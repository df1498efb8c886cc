package io.ksf.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives tests a real Kafka broker: one per test JVM, started on first use and stopped
 * when the JVM's tests end. Tests take it as a parameter ({@code EmbeddedKafka kafka}) and use their own topics.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBroker.class)
 * class MyTest {
 *     @Test
 *     void reads(EmbeddedKafka kafka) { kafka.createTopic("orders", 3); ... }
 * }
 * }</pre>
 */
public final class KafkaBroker implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBroker.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    private static EmbeddedKafka broker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("broker", key -> new Running(EmbeddedKafka.start()), Running.class).broker;
    }

    /** Closed by JUnit when the root context closes, after every test class ran. */
    private record Running(EmbeddedKafka broker) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            broker.close();
        }
    }
}
