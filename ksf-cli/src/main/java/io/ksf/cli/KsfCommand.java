package io.ksf.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ServiceLoader;

/**
 * The {@code ksf} command line: {@code ksf validate | check | run | options}, and {@code demo} where the demo launcher
 * (ksf-examples) is on the class path. Exit codes: 0 done, 1 failed while running, 2 bad config.
 */
@Command(name = "ksf", mixinStandardHelpOptions = true, version = "ksf 0.1.0",
        description = "Kafka Streaming Framework: move a Kafka stream through your processing into S3, DocumentDB or a folder.",
        subcommands = {ValidateCommand.class, CheckCommand.class, RunCommand.class, OptionsCommand.class})
public final class KsfCommand implements Runnable {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_CONFIG = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * A subcommand that another jar adds to {@code ksf}, listed in {@code META-INF/services} under this name: the
     * demo launcher's {@code demo}, which brings the test servers that the production jar leaves out.
     */
    public interface AddedCommand {
    }

    /** The command line with KSF's exit codes for usage errors. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new KsfCommand());
        ServiceLoader.load(AddedCommand.class).forEach(commandLine::addSubcommand);
        commandLine.setExitCodeExceptionMapper(e -> FAILED);
        commandLine.getCommandSpec().exitCodeOnInvalidInput(BAD_CONFIG);
        commandLine.getSubcommands().values()
                .forEach(sub -> sub.getCommandSpec().exitCodeOnInvalidInput(BAD_CONFIG));
        return commandLine;
    }
}
