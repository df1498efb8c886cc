package io.ksf.docdb;

import io.ksf.contract.TargetContract;
import io.ksf.spi.Target;
import io.ksf.testkit.EmbeddedMongo;
import io.ksf.testkit.MongoWireServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

/** The DocumentDB target passes the Target contract on a MongoDB-wire server. */
@ExtendWith(MongoWireServer.class)
class DocDbTargetContractTest extends TargetContract {
    private EmbeddedMongo mongo;
    private String database;

    @BeforeEach
    void database(EmbeddedMongo server) {
        this.mongo = server;
        this.database = Collections.newDatabase("contract");
    }

    @Override
    protected Target newTarget() {
        return Collections.target(mongo, database, null, 3);
    }

    @Override
    protected List<String> storedValues() {
        return Collections.documents(mongo, database, "docs").stream().map(Collections::json).toList();
    }
}
