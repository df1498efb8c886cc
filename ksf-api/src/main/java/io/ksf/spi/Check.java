package io.ksf.spi;

/**
 * The outcome of one check of a server a component uses, as {@code ksf check} prints it: what was checked, and
 * either what was found or what failed with its likely cause. Messages never hold secrets.
 *
 * @param subject what was checked, such as {@code kafka 127.0.0.1:9092} or {@code s3://bucket}
 * @param passed  whether it passed
 * @param message what was found, or what failed and why
 */
public record Check(String subject, boolean passed, String message) {

    /** A check that passed: the subject checked, and what was found. */
    public static Check passed(String subject, String message) {
        return new Check(subject, true, message);
    }

    /** A check that failed: the subject checked, and what went wrong. */
    public static Check failed(String subject, String message) {
        return new Check(subject, false, message);
    }

    /** The same check, its subject prefixed by the component's role, such as {@code source}. */
    public Check in(String role) {
        return new Check(role + " " + subject, passed, message);
    }

    @Override
    public String toString() {
        return (passed ? "OK    " : "FAIL  ") + subject + ": " + message;
    }
}
