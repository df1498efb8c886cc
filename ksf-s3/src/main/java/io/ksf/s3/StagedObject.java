package io.ksf.s3;

import io.ksf.spi.KsfException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the bytes of one open object wait for their upload: in memory while the object is no larger than the part
 * size and the target's staging memory has room, else in a temporary file (with a small buffer, since there may be
 * thousands of open objects). Memory is taken in chunks of a quarter of the size so far, from 8 KiB to 1 MiB: small
 * objects stay small, at most a quarter is unused, and nothing is copied as an object grows.
 */
final class StagedObject extends OutputStream {
    private static final int FIRST_CHUNK = 8 * 1024;
    private static final int LARGEST_CHUNK = 1024 * 1024;
    private static final int FILE_BUFFER = 8 * 1024;

    /** Bytes of staging memory left for every object of the target. */
    private final AtomicLong memoryLeft;
    private final long partSize;
    private final List<byte[]> chunks = new ArrayList<>();
    private long reserved;
    private int usedInLast;
    private long size;
    private Path file;
    private OutputStream fileOut;

    StagedObject(AtomicLong memoryLeft, long partSize) {
        this.memoryLeft = memoryLeft;
        this.partSize = partSize;
    }

    @Override
    public void write(int b) throws IOException {
        if (file == null && usedInLast < lastChunkLength() && size < partSize) {
            chunks.get(chunks.size() - 1)[usedInLast++] = (byte) b;
            size++;
            return;
        }
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (file == null && size + length > partSize) {
            spill(); // multipart territory: streamed from a file, one part at a time
        }
        while (file == null && length > 0) {
            if (usedInLast == lastChunkLength() && !addChunk()) {
                spill();
                break;
            }
            byte[] last = chunks.get(chunks.size() - 1);
            int n = Math.min(length, last.length - usedInLast);
            System.arraycopy(bytes, offset, last, usedInLast, n);
            usedInLast += n;
            offset += n;
            length -= n;
            size += n;
        }
        if (file != null && length > 0) {
            fileOut.write(bytes, offset, length);
            size += length;
        }
    }

    private int lastChunkLength() {
        return chunks.isEmpty() ? 0 : chunks.get(chunks.size() - 1).length;
    }

    private boolean addChunk() {
        int length = (int) Math.min(LARGEST_CHUNK, Math.max(FIRST_CHUNK, size / 4));
        if (memoryLeft.addAndGet(-length) < 0) {
            memoryLeft.addAndGet(length);
            return false;
        }
        reserved += length;
        chunks.add(new byte[length]);
        usedInLast = 0;
        return true;
    }

    /** Moves what is in memory to a temporary file, where the rest of the object goes. */
    private void spill() throws IOException {
        file = Files.createTempFile("ksf-s3-", ".object");
        fileOut = new BufferedOutputStream(Files.newOutputStream(file), FILE_BUFFER);
        for (int i = 0; i < chunks.size(); i++) {
            fileOut.write(chunks.get(i), 0, i == chunks.size() - 1 ? usedInLast : chunks.get(i).length);
        }
        releaseMemory();
    }

    private void releaseMemory() {
        chunks.clear();
        usedInLast = 0;
        memoryLeft.addAndGet(reserved);
        reserved = 0;
    }

    /** The object's size so far, in bytes. */
    long size() {
        return size;
    }

    boolean inMemory() {
        return file == null;
    }

    @Override
    public void flush() throws IOException {
        if (fileOut != null) {
            fileOut.flush();
        }
    }

    /** Ends writing: the bytes are complete and can be read, as many times as an upload retries. */
    @Override
    public void close() throws IOException {
        if (fileOut != null) {
            fileOut.close();
        }
    }

    /** A stream of the object's bytes from the start. */
    InputStream read() {
        if (file != null) {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new KsfException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return new ChunksStream();
    }

    /** Gives back the memory, or deletes the file. */
    void release() {
        releaseMemory();
        if (file != null) {
            try {
                fileOut.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new KsfException("cannot delete " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Reads the chunks in order, without copying them. */
    private final class ChunksStream extends InputStream {
        private int chunk;
        private int position;

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            while (chunk < chunks.size() && position == chunkEnd(chunk)) {
                chunk++;
                position = 0;
            }
            if (chunk == chunks.size()) {
                return -1;
            }
            int n = Math.min(length, chunkEnd(chunk) - position);
            System.arraycopy(chunks.get(chunk), position, into, offset, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return chunk < chunks.size() ? chunkEnd(chunk) - position : 0;
        }

        private int chunkEnd(int index) {
            return index == chunks.size() - 1 ? usedInLast : chunks.get(index).length;
        }
    }
}
