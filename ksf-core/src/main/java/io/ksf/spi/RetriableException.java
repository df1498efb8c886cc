package io.ksf.spi;

/** A failure that may succeed when tried again (throttling, 5xx, network): the runtime retries it with backoff. */
public class RetriableException extends KsfException {
    public RetriableException(String message) {
        super(message);
    }

    public RetriableException(String message, Throwable cause) {
        super(message, cause);
    }
}
