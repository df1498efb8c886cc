package io.ksf.spi;

/** The root of every exception KSF throws. Unchecked, as in Kafka Connect. */
public class KsfException extends RuntimeException {
    /** An error that stops the pipeline, with what happened. */
    public KsfException(String message) {
        super(message);
    }

    /** An error that stops the pipeline, with what happened and its cause. */
    public KsfException(String message, Throwable cause) {
        super(message, cause);
    }
}
