package io.ksf.cli;

import io.ksf.spi.Check;
import io.ksf.spi.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** Connects to the source, the target and the dead-letter destination of a config, one line per check. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Connect to the source, target and dead-letter destination of a config: authentication, "
                + "topics, a probe write into each target (removed again); one line per check, exit 0 or 1.")
final class CheckCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @picocli.CommandLine.Option(names = "--timeout", defaultValue = "10",
            description = "seconds each check may take (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Check> checks;
        try {
            checks = config.plan(System::getenv).checkServers(Duration.ofSeconds(timeoutSeconds));
        } catch (ConfigException e) {
            return ValidateCommand.printProblems(spec, e);
        }
        checks.forEach(out::println);
        boolean passed = checks.stream().allMatch(Check::passed);
        out.println(passed ? "every check passed" : checks.stream().filter(c -> !c.passed()).count()
                + " of " + checks.size() + " checks failed");
        out.flush();
        return passed ? KsfCommand.OK : KsfCommand.FAILED;
    }
}
