package io.ksf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What a user finds in a folder that file targets wrote. */
public final class Folders {
    private Folders() {
    }

    /** Every line of every file below {@code root}, file by file in path order; empty when there is no folder. */
    public static List<String> lines(Path root) {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(root)) {
            return lines;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
