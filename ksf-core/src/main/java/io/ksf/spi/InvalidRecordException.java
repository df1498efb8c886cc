package io.ksf.spi;

/**
 * One record cannot be handled (undecodable, failed validation, rejected): it goes to the dead-letter
 * destination and the pipeline goes on.
 */
public class InvalidRecordException extends KsfException {
    public InvalidRecordException(String message) {
        super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
