package io.ksf.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ksf run}'s own options, before any pipeline starts. */
class RunCommandTest {

    @Test
    void theProgressIntervalTakesDurationsLikeTheConfigAndBareSeconds() {
        assertThat(RunCommand.interval("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(RunCommand.interval("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(RunCommand.interval("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(RunCommand.interval("PT2S")).isEqualTo(Duration.ofSeconds(2));
        assertThat(RunCommand.interval("0")).isZero();
    }

    @Test
    void aBadProgressIntervalExitsTwoNamingTheOptionBeforeReadingTheConfig() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setErr(new PrintWriter(err));

        int exit = commandLine.execute("run", "--config", "/no/such/config.json", "--progress-interval", "often");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--progress-interval: expected a duration such as 30s or 1m, found \"often\"");
    }
}
