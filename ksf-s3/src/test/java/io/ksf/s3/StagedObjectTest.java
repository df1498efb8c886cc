package io.ksf.s3;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class StagedObjectTest {

    private static byte[] written(StagedObject staged, int length, long seed) throws IOException {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        int at = 0;
        Random sizes = new Random(seed + 1);
        while (at < length) {
            if (sizes.nextInt(5) == 0) {
                staged.write(data[at++]);
            } else {
                int n = Math.min(length - at, sizes.nextInt(40_000));
                staged.write(data, at, n);
                at += n;
            }
        }
        staged.close();
        return data;
    }

    private static byte[] readAll(StagedObject staged) throws IOException {
        try (InputStream in = staged.read()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    @Test
    void smallObjectsStayInMemoryAndReadBackAsManyTimesAsAsked() throws IOException {
        AtomicLong memory = new AtomicLong(4 << 20);
        StagedObject staged = new StagedObject(memory, 8 << 20);
        byte[] data = written(staged, 1_500_000, 1);
        assertThat(staged.inMemory()).isTrue();
        assertThat(staged.size()).isEqualTo(data.length);
        assertThat(memory.get()).isLessThan(4 << 20);
        assertThat(readAll(staged)).isEqualTo(data);
        assertThat(readAll(staged)).isEqualTo(data); // an upload retry reads it again
        staged.release();
        assertThat(memory.get()).isEqualTo(4 << 20);
    }

    @Test
    void anObjectSpillsToAFileWhenTheStagingMemoryIsUsedUp() throws IOException {
        AtomicLong memory = new AtomicLong(300_000);
        StagedObject first = new StagedObject(memory, 8 << 20);
        StagedObject second = new StagedObject(memory, 8 << 20);
        byte[] a = written(first, 200_000, 2);
        byte[] b = written(second, 700_000, 3);
        assertThat(first.inMemory()).isTrue();
        assertThat(second.inMemory()).isFalse();
        assertThat(memory.get()).isGreaterThanOrEqualTo(0);
        assertThat(readAll(first)).isEqualTo(a);
        assertThat(readAll(second)).isEqualTo(b);
        first.release();
        second.release();
        assertThat(memory.get()).isEqualTo(300_000);
    }

    @Test
    void anObjectLargerThanThePartSizeSpillsToAFile() throws IOException {
        AtomicLong memory = new AtomicLong(64 << 20);
        StagedObject staged = new StagedObject(memory, 1 << 20);
        byte[] data = written(staged, (1 << 20) + 1, 4);
        assertThat(staged.inMemory()).isFalse();
        assertThat(memory.get()).isEqualTo(64 << 20);
        assertThat(readAll(staged)).isEqualTo(data);
        staged.release();
    }
}
