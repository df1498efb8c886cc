package io.ksf.file;

import io.ksf.contract.TargetContract;
import io.ksf.format.json.JsonFormat;
import io.ksf.spi.Target;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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
                if (file.getFileName().toString().startsWith(".")) {
                    throw new AssertionError("a temporary file was left behind: " + file);
                }
                values.addAll(Files.readAllLines(file));
            }
        }
        return values;
    }
}
