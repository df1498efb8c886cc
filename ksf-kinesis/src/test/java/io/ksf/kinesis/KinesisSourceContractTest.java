package io.ksf.kinesis;

import io.ksf.contract.SourceContract;
import io.ksf.spi.Source;
import io.ksf.testkit.EmbeddedKinesis;
import io.ksf.testkit.KinesisServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The kinesis source passes the Source contract on a real Kinesis API server: a stream of two shards per test. */
@ExtendWith(KinesisServer.class)
class KinesisSourceContractTest extends SourceContract {
    private static final AtomicInteger STREAMS = new AtomicInteger();
    private EmbeddedKinesis kinesis;
    private KinesisClient client;
    private String stream;

    @TempDir
    Path dir;

    static {
        EmbeddedKinesis.useAsDefaultCredentials();
    }

    @BeforeEach
    void stream(EmbeddedKinesis kinesis) {
        this.kinesis = kinesis;
        client = KinesisSourceTest.client(kinesis);
        stream = "source-contract-" + STREAMS.incrementAndGet();
        KinesisSourceTest.createStream(client, stream, 2);
    }

    @Override
    protected void produce(List<String> values) {
        KinesisSourceTest.put(client, stream, values);
    }

    @Override
    protected Source newSource() {
        KinesisSource.Settings settings = new KinesisSource.Settings(stream, KinesisSource.InitialPosition.TRIM_HORIZON,
                null, 10_000, 5, Duration.ofMillis(200), 10_000);
        // a client of its own: the source closes it
        return KinesisSource.withFileCheckpoints(KinesisSourceTest.client(kinesis), settings, dir.resolve(stream + ".json"));
    }
}
