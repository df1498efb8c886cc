package io.ksf.testkit;

/** Gives tests a MongoDB-wire server ({@link EmbeddedMongo}), one per test JVM; tests use their own databases. */
public final class MongoWireServer extends SharedServer<EmbeddedMongo> {
    public MongoWireServer() {
        super(EmbeddedMongo.class, EmbeddedMongo::start);
    }
}
