package io.ksf.s3;

import com.github.luben.zstd.ZstdOutputStream;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/** How the s3 target compresses whole objects (JSON Lines, CSV): the key's suffix and the content type say it. */
public enum ObjectCompression {
    NONE("", null),
    GZIP(".gz", "application/gzip"),
    ZSTD(".zst", "application/zstd");

    private final String suffix;
    private final String contentType;

    ObjectCompression(String suffix, String contentType) {
        this.suffix = suffix;
        this.contentType = contentType;
    }

    /** By its option value: none, gzip or zstd. */
    public static ObjectCompression of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Appended to the format's extension. */
    String suffix() {
        return suffix;
    }

    /** The object's content type, or null to take the format's. */
    String contentType() {
        return contentType;
    }

    /** A compressing stream into {@code out}, or null for none; closing it finishes the frame but not {@code out}. */
    OutputStream wrap(OutputStream out) throws IOException {
        if (this == NONE) {
            return null;
        }
        OutputStream kept = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        return this == GZIP ? new GZIPOutputStream(kept, 8 * 1024) : new ZstdOutputStream(kept);
    }
}
