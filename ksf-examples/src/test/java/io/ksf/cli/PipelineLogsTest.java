package io.ksf.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ksf.contract.InMemorySource;
import io.ksf.contract.InMemoryTarget;
import io.ksf.format.bytes.BytesFormat;
import io.ksf.pipeline.Pipeline;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.testkit.RunningPipeline;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** In library mode, with no command line around it, a pipeline says when it starts, flushes, commits and stops. */
class PipelineLogsTest {

    @Test
    void aPipelineLogsItsStartItsFlushesAndCommitsAndItsStop() {
        Logger logger = (Logger) LoggerFactory.getLogger(Pipeline.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        Level before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        try {
            List<KsfRecord> input = IntStream.range(0, 250).mapToObj(n -> KsfRecord.of("logged", 0, n, "v" + n))
                    .toList();
            Pipeline pipeline = Pipeline.builder().name("logged")
                    .source(new InMemorySource(input, Positions.empty(), 50), new BytesFormat("\n"))
                    .target(new InMemoryTarget()).flushEvery(100, 1 << 20, Duration.ofMinutes(1)).build();
            try (RunningPipeline running = RunningPipeline.start(pipeline)) {
                running.awaitUntil(() -> pipeline.stats().recordsIn() == 250, Duration.ofSeconds(20)).stop();
            }
        } finally {
            logger.detachAppender(captured);
            logger.setLevel(before);
        }

        List<String> info = captured.list.stream().filter(e -> e.getLevel() == Level.INFO)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(info).containsExactly(
                "pipeline 'logged' starting: mode sync, flush every 100 records, 1048576 bytes or PT1M, tolerance none",
                "pipeline 'logged' stopped: 250 records in, 250 written, 0 filtered, 0 dead-lettered, 3 commits");
        List<String> debug = captured.list.stream().filter(e -> e.getLevel() == Level.DEBUG)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(debug).anyMatch(line -> line.matches("pipeline 'logged': flush 1 made everything written durable "
                + "in \\d+ ms")).contains("pipeline 'logged': committed {logged-0=250}");
    }
}
