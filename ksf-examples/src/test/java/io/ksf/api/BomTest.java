package io.ksf.api;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The BOM a host application imports: no parent, every shipped module, and no pin a host does not need. */
class BomTest {

    @Test
    void theBomHasNoParentListsEveryShippedModuleAndNoBuildOnlyLibrary() throws Exception {
        String bom = Files.readString(Path.of("..", "ksf-bom", "pom.xml"));

        assertThat(bom).doesNotContain("<parent>");
        for (String module : PublicApiJavadocTest.SHIPPED) {
            assertThat(bom).contains("<artifactId>" + module + "</artifactId>");
        }
        for (String buildOnly : new String[]{"mockito", "jmh", "s3proxy", "scala", "testcontainers", "picocli",
                "logback", "mongo-java-server", "ksf-cli", "ksf-examples"}) {
            assertThat(bom).doesNotContain(buildOnly);
        }
    }
}
