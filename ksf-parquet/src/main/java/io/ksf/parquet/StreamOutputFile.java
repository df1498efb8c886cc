package io.ksf.parquet;

import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A Parquet file written into a stream that the target owns (its staged object): positions are counted from the
 * first byte, and closing the file flushes the stream but leaves it open, as {@code Format.writer} promises. Public
 * for hosts that write Parquet with parquet-java beside KSF, as {@link Codecs} is.
 */
public final class StreamOutputFile implements OutputFile {
    private final OutputStream out;
    private long position;

    /** @param out the stream the file is written into, left open */
    public StreamOutputFile(OutputStream out) {
        this.out = out;
    }

    /** Bytes written into the stream so far. */
    public long written() {
        return position;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
        return new PositionOutputStream() {
            @Override
            public long getPos() {
                return position;
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                position++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                position += len;
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return "stream";
    }
}
