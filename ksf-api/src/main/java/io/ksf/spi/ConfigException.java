package io.ksf.spi;

import java.util.List;

/**
 * A configuration is invalid. Each problem names the full path of the key (such as {@code target.bucket}),
 * what was expected and what was found; secrets are never part of a problem's text.
 */
public class ConfigException extends KsfException {
    private final List<String> problems;

    /** One problem, naming the key, what was expected and what was found. */
    public ConfigException(String problem) {
        this(List.of(problem));
    }

    /** Every problem found, one line each. */
    public ConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, one line each. */
    public List<String> problems() {
        return problems;
    }
}
