package io.ksf.pipeline;

import io.ksf.file.FileTargetFactory;
import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Target;
import io.ksf.spi.TargetFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryTest {

    @Test
    void serviceLoaderFindsTheBuiltInFactories() {
        Registry registry = Registry.load();

        assertThat(registry.target("file")).isInstanceOf(FileTargetFactory.class);
        assertThat(registry.names(io.ksf.spi.ProcessorFactory.class)).containsExactly("filter", "hash", "split", "validate");
        assertThat(registry.format("bytes").name()).isEqualTo("bytes");
    }

    @Test
    void anUnknownNameListsTheAvailableNamesSorted() {
        Registry registry = Registry.builder().register(new NamedTarget("s3")).register(new NamedTarget("docdb"))
                .register(new NamedTarget("file")).build();

        assertThatThrownBy(() -> registry.target("kafka")).isInstanceOf(ConfigException.class)
                .hasMessage("no target named 'kafka'; available: docdb, file, s3");
    }

    @Test
    void explicitRegistrationWinsOverServiceLoader() {
        NamedTarget mine = new NamedTarget("file");
        Registry registry = Registry.builder().register(mine).discover(getClass().getClassLoader()).build();

        assertThat(registry.target("file")).isSameAs(mine);
    }

    @Test
    void twoDiscoveredProvidersOfOneNameFailNamingBothClasses(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(TargetFactory.class.getName()),
                FileTargetFactory.class.getName() + "\n" + AnotherFileTarget.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[]{dir.toUri().toURL()}, getClass().getClassLoader())) {
            Registry registry = Registry.builder().discover(loader).build();

            assertThatThrownBy(() -> registry.target("file")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("two target factories are named 'file'")
                    .hasMessageContaining(FileTargetFactory.class.getName())
                    .hasMessageContaining(AnotherFileTarget.class.getName());
            assertThat(registry.processor("hash")).isNotNull();
        }
    }

    @Test
    void aBrokenProviderIsSkippedAndTheOthersStillLoad(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(TargetFactory.class.getName()), "com.example.Missing\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[]{dir.toUri().toURL()}, getClass().getClassLoader())) {
            Registry registry = Registry.builder().discover(loader).build();

            assertThat(registry.target("file")).isInstanceOf(FileTargetFactory.class);
        }
    }

    @Test
    void twoExplicitFactoriesOfOneNameAreAnError() {
        assertThatThrownBy(() -> Registry.builder().register(new NamedTarget("x")).register(new NamedTarget("x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("two target factories are named 'x'");
    }

    /** A second provider named "file", to make a conflict. */
    public static final class AnotherFileTarget extends NamedTarget {
        public AnotherFileTarget() {
            super("file");
        }
    }

    static class NamedTarget implements TargetFactory {
        private final String name;

        NamedTarget(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public List<Option<?>> options() {
            return List.of();
        }

        @Override
        public Target create(Options options, FactoryContext context) {
            throw new UnsupportedOperationException();
        }
    }
}
