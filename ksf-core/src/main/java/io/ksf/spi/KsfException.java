package io.ksf.spi;

/** The root of every exception KSF throws. Unchecked, as in Kafka Connect. */
public class KsfException extends RuntimeException {
    public KsfException(String message) {
        super(message);
    }

    public KsfException(String message, Throwable cause) {
        super(message, cause);
    }
}
