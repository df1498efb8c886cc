package io.ksf.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives tests a real Kinesis API server ({@link EmbeddedKinesis}), one per test JVM; tests use their own streams.
 * Where Node.js or the server is missing, the tests skip with a message that says what to install.
 */
public final class KinesisServer extends SharedServer<EmbeddedKinesis> {
    public KinesisServer() {
        super(EmbeddedKinesis.class, EmbeddedKinesis::start);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String reason = EmbeddedKinesis.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        super.beforeAll(context);
    }
}
