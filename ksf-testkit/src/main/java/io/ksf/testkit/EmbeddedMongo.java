package io.ksf.testkit;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.net.InetSocketAddress;

/**
 * A MongoDB-wire server for tests: mongo-java-server with its memory backend, on a free loopback port in this JVM.
 * It speaks the protocol the MongoDB driver uses (find, bulk writes, unique indexes); it has no transactions,
 * change streams or {@code hello} command.
 */
public final class EmbeddedMongo implements AutoCloseable {
    private final MongoServer server;
    private final InetSocketAddress address;

    private EmbeddedMongo(MongoServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /** Starts a MongoDB-wire server on a free loopback port. */
    public static EmbeddedMongo start() {
        MongoServer server = new MongoServer(new MemoryBackend());
        server.bind("127.0.0.1", 0);
        InetSocketAddress address = server.getLocalAddress();
        return new EmbeddedMongo(server, address);
    }

    /** A connection string for the driver, such as {@code mongodb://127.0.0.1:27017}. */
    public String connectionString() {
        return "mongodb://127.0.0.1:" + address.getPort();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
