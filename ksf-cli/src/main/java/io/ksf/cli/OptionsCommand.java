package io.ksf.cli;

import io.ksf.pipeline.OptionsReference;
import io.ksf.pipeline.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Prints every option of every adapter on the class path, as the connector pages of {@code docs/} show them. */
@Command(name = "options", mixinStandardHelpOptions = true,
        description = "Print every option of every adapter on the class path (Markdown).")
final class OptionsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(OptionsReference.markdown(Registry.load()));
        spec.commandLine().getOut().flush();
        return KsfCommand.OK;
    }
}
