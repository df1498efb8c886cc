package io.ksf.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.function.Supplier;

/**
 * A JUnit 5 extension that gives tests one server of a kind per test JVM: started on first use, stopped when the
 * JVM's tests end, and passed to tests as a parameter of its type. Tests use their own topics, buckets, databases.
 *
 * @param <S> the server type
 */
abstract class SharedServer<S extends AutoCloseable> implements BeforeAllCallback, ParameterResolver {
    private final Class<S> type;
    private final Supplier<S> start;

    SharedServer(Class<S> type, Supplier<S> start) {
        this.type = type;
        this.start = start;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == type;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    private S server(ExtensionContext context) {
        Running running = context.getRoot().getStore(ExtensionContext.Namespace.create(SharedServer.class, type))
                .getOrComputeIfAbsent("server", key -> new Running(start.get()), Running.class);
        return type.cast(running.server);
    }

    /** Closed by JUnit when the root context closes, after every test class ran. */
    private record Running(AutoCloseable server) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() throws Exception {
            server.close();
        }
    }
}
