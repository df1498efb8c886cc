package io.ksf.cli;

import io.ksf.config.ConfigLoader;
import io.ksf.config.PipelineConfig;
import io.ksf.pipeline.PipelinePlan;
import io.ksf.pipeline.Registry;
import io.ksf.spi.ConfigException;
import io.ksf.s3.S3ConfigLocation;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * {@code --config FILE} or {@code s3://bucket/key}, or the {@code configFileLocation} environment variable as the
 * ECS task passes it.
 */
final class ConfigOption {
    static final String ENVIRONMENT_VARIABLE = "configFileLocation";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "the pipeline's JSON config, a path or s3://bucket/key; default: $" + ENVIRONMENT_VARIABLE)
    String location;

    /** Where the config is, or a clear error when it is given nowhere. */
    String location(Function<String, String> environment) {
        if (location != null) {
            return location;
        }
        String fromEnvironment = environment.apply(ENVIRONMENT_VARIABLE);
        if (fromEnvironment == null || fromEnvironment.isBlank()) {
            throw new ConfigException("no config: pass --config FILE or set the environment variable "
                    + ENVIRONMENT_VARIABLE);
        }
        return fromEnvironment;
    }

    /** Loads and resolves the config against every factory on the class path; connects to nothing. */
    PipelinePlan plan(Function<String, String> environment) {
        String where = location(environment);
        ConfigLoader loader = ConfigLoader.withEnvironment(environment);
        PipelineConfig config = S3ConfigLocation.matches(where)
                ? loader.parse(S3ConfigLocation.read(where, environment))
                : loader.load(Path.of(where));
        return PipelinePlan.resolve(config, Registry.load());
    }
}
