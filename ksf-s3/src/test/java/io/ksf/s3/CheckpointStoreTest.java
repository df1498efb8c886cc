package io.ksf.s3;

import io.ksf.checkpoint.FileCheckpointStore;
import io.ksf.s3.S3Clients;
import io.ksf.spi.KsfException;
import io.ksf.testkit.EmbeddedS3;
import io.ksf.testkit.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checkpoints survive a restart, and a second writer of an S3 checkpoint is fenced by the conditional write. */
@ExtendWith(S3Server.class)
class CheckpointStoreTest {
    static {
        EmbeddedS3.useAsDefaultCredentials();
    }

    private static Checkpoint withObject(String key, long next) {
        TreeMap<String, ObjectProgress> objects = new TreeMap<>();
        objects.put(key, new ObjectProgress("\"etag\"", 100, 1_700_000_000_000L, 2, next, false));
        return new Checkpoint("in/0.txt", objects);
    }

    @Test
    void aFileCheckpointReadsBackWhatWasSaved(@TempDir Path dir) {
        FileCheckpointStore store = new FileCheckpointStore(dir.resolve("state/checkpoint.json"));
        assertThat(Checkpoint.decode(store.load(0), "test")).isEqualTo(Checkpoint.empty());

        store.save(0, withObject("in/a.txt", 42).encode());

        assertThat(Checkpoint.decode(new FileCheckpointStore(dir.resolve("state/checkpoint.json")).load(0), "test"))
                .isEqualTo(withObject("in/a.txt", 42));
    }

    @Test
    void aSecondInstanceWritingTheSameS3CheckpointIsFenced(EmbeddedS3 s3) {
        S3Client client = S3Clients.create(EmbeddedS3.REGION, s3.endpoint(), true);
        client.createBucket(b -> b.bucket("fenced"));
        S3CheckpointStore first = new S3CheckpointStore(client, "fenced", "_ksf/checkpoint.json");
        S3CheckpointStore second = new S3CheckpointStore(client, "fenced", "_ksf/checkpoint.json");
        first.load(0);
        second.load(0);

        first.save(0, withObject("in/a.txt", 10).encode());
        first.save(0, withObject("in/a.txt", 20).encode()); // its own last write: If-Match passes

        assertThatThrownBy(() -> second.save(0, withObject("in/a.txt", 15).encode()))
                .isInstanceOf(KsfException.class)
                .hasMessage("the checkpoint s3://fenced/_ksf/checkpoint.json was written by another instance since "
                        + "this one read it; stopping, so that no object is read by two instances");
        assertThat(Checkpoint.decode(new S3CheckpointStore(client, "fenced", "_ksf/checkpoint.json").load(0), "test"))
                .isEqualTo(withObject("in/a.txt", 20));
    }
}
