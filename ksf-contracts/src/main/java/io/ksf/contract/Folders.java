package io.ksf.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What a user finds in a folder that file targets wrote. */
public final class Folders {
    private Folders() {
    }

    /**
     * Every line of every file below {@code root}, file by file in path order; empty when there is no folder.
     * Hidden files (a file target's temporary ones) are not read, nor a file renamed while the folder is listed:
     * a look while a pipeline writes sees what a user would, and the next look sees the renamed file.
     */
    public static List<String> lines(Path root) {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(root)) {
            return lines;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                if (file.getFileName().toString().startsWith(".")) {
                    continue;
                }
                try {
                    lines.addAll(Files.readAllLines(file));
                } catch (NoSuchFileException renamed) {
                    continue;
                }
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return lines; // a folder renamed while walked: the next look sees it
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
