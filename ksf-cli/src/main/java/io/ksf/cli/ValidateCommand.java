package io.ksf.cli;

import io.ksf.pipeline.PipelinePlan;
import io.ksf.spi.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Checks a config without connecting anywhere, and prints what the pipeline would do. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a config without connecting anywhere; print a summary (exit 0) or every problem (exit 2).")
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            PipelinePlan plan = config.plan(System::getenv);
            out.print(plan.summary());
            out.println("config is valid");
            out.flush();
            return KsfCommand.OK;
        } catch (ConfigException e) {
            return printProblems(spec, e);
        }
    }

    static int printProblems(CommandSpec spec, ConfigException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("config is invalid:");
        e.problems().forEach(problem -> err.println("  " + problem));
        err.flush();
        return KsfCommand.BAD_CONFIG;
    }
}
