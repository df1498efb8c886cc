package io.ksf.spi;

/** A failure that may succeed when tried again (throttling, 5xx, network): the runtime retries it with backoff. */
public class RetriableException extends KsfException {
    /** A failure that may pass on a retry, with what happened. */
    public RetriableException(String message) {
        super(message);
    }

    /** A failure that may pass on a retry, with what happened and its cause. */
    public RetriableException(String message, Throwable cause) {
        super(message, cause);
    }
}
