package io.ksf.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives tests a real Kinesis API server ({@link EmbeddedKinesis}), one per test JVM; tests use their own streams.
 * Where Node.js or the server is missing, the tests are disabled with a message that says what to install (the
 * build's reports count each as skipped), or fail when the system property {@code ksf.kinesis.required} is true
 * (as in CI), so that a green build has run them.
 */
public final class KinesisServer extends SharedServer<EmbeddedKinesis> implements ExecutionCondition {
    /** The system property that turns a missing Kinesis server from a skip into a failure. */
    public static final String REQUIRED = "ksf.kinesis.required";

    public KinesisServer() {
        super(EmbeddedKinesis.class, EmbeddedKinesis::start);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = EmbeddedKinesis.unavailableReason();
        if (reason == null || Boolean.getBoolean(REQUIRED)) {
            return ConditionEvaluationResult.enabled("the Kinesis server can run, or must");
        }
        return ConditionEvaluationResult.disabled(reason);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        requireOrSkip();
        super.beforeAll(context);
    }

    /** Skips the calling test where the server cannot run, or fails it if {@value #REQUIRED} is true. */
    public static void requireOrSkip() {
        String reason = EmbeddedKinesis.unavailableReason();
        if (reason != null && Boolean.getBoolean(REQUIRED)) {
            throw new IllegalStateException(REQUIRED + " is true but the Kinesis server cannot run: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
    }
}
