package io.ksf.pipeline;

import io.ksf.spi.ConfigException;
import io.ksf.spi.Factory;
import io.ksf.spi.FormatFactory;
import io.ksf.spi.ProcessorFactory;
import io.ksf.spi.SourceFactory;
import io.ksf.spi.TargetFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The factories a pipeline can use, by kind and name. Factories registered in code win over those found by
 * {@link ServiceLoader}; each provider loads in its own try/catch so one broken jar does not hide the others;
 * two discovered providers of one name are an error naming both classes, raised when that name is asked for.
 */
public final class Registry {
    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
    private static final List<Class<? extends Factory>> KINDS =
            List.of(SourceFactory.class, ProcessorFactory.class, TargetFactory.class, FormatFactory.class);

    private final Map<Class<? extends Factory>, Map<String, Factory>> factories;
    private final Map<Class<? extends Factory>, Map<String, String>> conflicts;

    private Registry(Map<Class<? extends Factory>, Map<String, Factory>> factories,
                     Map<Class<? extends Factory>, Map<String, String>> conflicts) {
        this.factories = factories;
        this.conflicts = conflicts;
    }

    /** Every factory on the class path of the current thread's context class loader. */
    public static Registry load() {
        return builder().discover(Thread.currentThread().getContextClassLoader()).build();
    }

    /** A builder: factories registered in code, then those found on a class path. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The source factory of this name.
     * @throws io.ksf.spi.ConfigException listing the names known when there is none
     */
    public SourceFactory source(String name) {
        return find(SourceFactory.class, name);
    }

    /**
     * The processor factory of this name.
     * @throws io.ksf.spi.ConfigException listing the names known when there is none
     */
    public ProcessorFactory processor(String name) {
        return find(ProcessorFactory.class, name);
    }

    /**
     * The target factory of this name.
     * @throws io.ksf.spi.ConfigException listing the names known when there is none
     */
    public TargetFactory target(String name) {
        return find(TargetFactory.class, name);
    }

    /**
     * The format factory of this name.
     * @throws io.ksf.spi.ConfigException listing the names known when there is none
     */
    public FormatFactory format(String name) {
        return find(FormatFactory.class, name);
    }

    /** The factory of this kind and name, or a {@link ConfigException} listing the available names, sorted. */
    public <F extends Factory> F find(Class<F> kind, String name) {
        String conflict = conflicts.getOrDefault(kind, Map.of()).get(name);
        if (conflict != null) {
            throw new ConfigException(conflict);
        }
        Factory factory = factories.getOrDefault(kind, Map.of()).get(name);
        if (factory == null) {
            SortedSet<String> available = names(kind);
            throw new ConfigException("no " + kindName(kind) + " named '" + name + "'; available: "
                    + (available.isEmpty() ? "none (add the module that provides it to the class path)"
                    : String.join(", ", available)));
        }
        return kind.cast(factory);
    }

    /** The names of every factory of this kind, sorted. */
    public SortedSet<String> names(Class<? extends Factory> kind) {
        return new TreeSet<>(factories.getOrDefault(kind, Map.of()).keySet());
    }

    /** Every factory of this kind, sorted by name. */
    public <F extends Factory> List<F> all(Class<F> kind) {
        return names(kind).stream().map(name -> find(kind, name)).toList();
    }

    static String kindName(Class<? extends Factory> kind) {
        return kind.getSimpleName().replace("Factory", "").toLowerCase(Locale.ROOT);
    }

    /** Collects factories; {@link #register} wins over {@link #discover}, whatever the order of calls. */
    public static final class Builder {
        private final Map<Class<? extends Factory>, Map<String, Factory>> explicit = new HashMap<>();
        private final Map<Class<? extends Factory>, Map<String, Factory>> discovered = new HashMap<>();
        private final Map<Class<? extends Factory>, Map<String, String>> conflicts = new HashMap<>();

        private Builder() {
        }

        /** Adds a factory under every SPI kind it implements. Two explicit factories of one name are an error. */
        public Builder register(Factory factory) {
            boolean any = false;
            for (Class<? extends Factory> kind : KINDS) {
                if (kind.isInstance(factory)) {
                    any = true;
                    Factory previous = explicit.computeIfAbsent(kind, k -> new HashMap<>())
                            .putIfAbsent(factory.name(), factory);
                    if (previous != null && previous != factory) {
                        throw new ConfigException(twoProviders(kind, factory.name(), previous, factory));
                    }
                }
            }
            if (!any) {
                throw new IllegalArgumentException(factory.getClass().getName()
                        + " implements none of SourceFactory, ProcessorFactory, TargetFactory, FormatFactory");
            }
            return this;
        }

        /** Adds every factory that {@link ServiceLoader} finds through this class loader. */
        public Builder discover(ClassLoader classLoader) {
            for (Class<? extends Factory> kind : KINDS) {
                discover(kind, classLoader);
            }
            return this;
        }

        private <F extends Factory> void discover(Class<F> kind, ClassLoader classLoader) {
            Iterator<F> providers = ServiceLoader.load(kind, classLoader).iterator();
            while (true) {
                F factory;
                try {
                    if (!providers.hasNext()) {
                        return;
                    }
                    factory = providers.next();
                } catch (ServiceConfigurationError | LinkageError e) {
                    LOG.warn("Skipping a {} provider that failed to load: {}", kindName(kind), e.toString());
                    continue;
                }
                Map<String, Factory> byName = discovered.computeIfAbsent(kind, k -> new HashMap<>());
                Factory previous = byName.putIfAbsent(factory.name(), factory);
                if (previous != null && previous.getClass() != factory.getClass()) {
                    conflicts.computeIfAbsent(kind, k -> new HashMap<>())
                            .put(factory.name(), twoProviders(kind, factory.name(), previous, factory));
                }
            }
        }

        /** The registry: factories registered in code win over those found by name; two found are an error when used. */
        public Registry build() {
            Map<Class<? extends Factory>, Map<String, Factory>> merged = new HashMap<>();
            Map<Class<? extends Factory>, Map<String, String>> openConflicts = new HashMap<>();
            for (Class<? extends Factory> kind : KINDS) {
                Map<String, Factory> byName = new HashMap<>(discovered.getOrDefault(kind, Map.of()));
                Map<String, Factory> own = explicit.getOrDefault(kind, Map.of());
                byName.putAll(own);
                merged.put(kind, Map.copyOf(byName));
                Map<String, String> kindConflicts = new HashMap<>(conflicts.getOrDefault(kind, Map.of()));
                kindConflicts.keySet().removeAll(own.keySet());
                openConflicts.put(kind, Map.copyOf(kindConflicts));
            }
            return new Registry(Map.copyOf(merged), Map.copyOf(openConflicts));
        }

        private static String twoProviders(Class<? extends Factory> kind, String name, Factory a, Factory b) {
            return "two " + kindName(kind) + " factories are named '" + name + "': " + a.getClass().getName()
                    + " and " + b.getClass().getName() + "; remove one from the class path or register one in code";
        }
    }
}
