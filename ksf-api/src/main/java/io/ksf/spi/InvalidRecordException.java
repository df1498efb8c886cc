package io.ksf.spi;

/**
 * One record cannot be handled (undecodable, failed validation, rejected): it goes to the dead-letter
 * destination and the pipeline goes on.
 */
public class InvalidRecordException extends KsfException {
    /** A bad record, with what is wrong with it. */
    public InvalidRecordException(String message) {
        super(message);
    }

    /** A bad record, with what is wrong with it and the error that showed it. */
    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
