package io.ksf.file;

import io.ksf.contract.TargetContract;
import io.ksf.format.json.JsonFormat;
import io.ksf.spi.Target;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The file target with JSON Lines passes the Target contract. */
class FileTargetContractTest extends TargetContract {
    @TempDir
    Path dir;

    @Override
    protected Target newTarget() {
        return new FileTarget(dir, "curated/", new JsonFormat());
    }

    @Override
    protected List<String> storedValues() throws IOException {
        List<String> values = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                if (!temporary(file)) {
                    values.addAll(Files.readAllLines(file));
                }
            }
        }
        return values;
    }

    /** Open objects are temporary files until their flush; once a test has closed its targets none is left. */
    @AfterEach
    void noTemporaryFileIsLeftBehind() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).filter(FileTargetContractTest::temporary)).isEmpty();
        }
    }

    private static boolean temporary(Path file) {
        return file.getFileName().toString().startsWith(".");
    }
}
