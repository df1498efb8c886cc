package io.ksf.kinesis;

import io.ksf.spi.Options;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kinesis source's options, checked before anything connects: these tests need no Kinesis server. */
class KinesisSourceFactoryTest {
    @Test
    void aConfigWithoutItsTimestampNamesTheKey() {
        KinesisSourceFactory factory = new KinesisSourceFactory();
        assertThatThrownBy(() -> factory.check(Options.of("source",
                        factory.options(), Map.of("stream", "s", "initial.position", "at_timestamp",
                                "reads.per.second", 9))))
                .hasMessageContaining("source.initial.timestamp: missing")
                .hasMessageContaining("source.reads.per.second: expected more than 0 and at most 5");
    }

    @Test
    void streamOrStreamsOneOfThem() {
        KinesisSourceFactory factory = new KinesisSourceFactory();
        assertThatThrownBy(() -> factory.check(Options.of("source", factory.options(), Map.of())))
                .hasMessageContaining("source: expected stream (one name) or streams (a list of names), found neither");
        assertThatThrownBy(() -> factory.check(Options.of("source", factory.options(),
                Map.of("stream", "a", "streams", List.of("b", "c")))))
                .hasMessageContaining("found both");
        assertThatThrownBy(() -> factory.check(Options.of("source", factory.options(),
                Map.of("streams", List.of("b", "b")))))
                .hasMessageContaining("source.streams: expected each stream once, found [b, b]");
        assertThatCode(() -> factory.check(Options.of("source", factory.options(),
                Map.of("streams", List.of("b", "c"))))).doesNotThrowAnyException();
    }

    @Test
    void fanOutNeedsAConsumerNameAndARenewalWithinKinesissFiveMinutes() {
        KinesisSourceFactory factory = new KinesisSourceFactory();
        assertThatThrownBy(() -> factory.check(Options.of("source", factory.options(),
                Map.of("stream", "s", "read", "fan-out", "fan-out.renewal", "10m"))))
                .hasMessageContaining("source.consumer.name: read fan-out needs the name of the consumer to register "
                        + "with the stream (1 to 128 letters, digits, _ . -), found none")
                .hasMessageContaining("source.fan-out.renewal: expected more than 0 and at most 5 minutes");
        assertThatThrownBy(() -> factory.check(Options.of("source", factory.options(),
                Map.of("stream", "s", "read", "fan-out", "consumer.name", "my app"))))
                .hasMessageContaining("found \"my app\"");
        assertThatThrownBy(() -> factory.check(Options.of("source", factory.options(),
                Map.of("stream", "s", "read", "push"))))
                .hasMessageContaining("source.read");
        assertThatCode(() -> factory.check(Options.of("source", factory.options(),
                Map.of("stream", "s", "read", "fan-out", "consumer.name", "orders-to-msk"))))
                .doesNotThrowAnyException();
    }
}
