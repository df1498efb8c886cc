package io.ksf.parquet;

import com.github.luben.zstd.Zstd;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;

/**
 * Page compressors without Hadoop: parquet-java's own codec factory loads Hadoop classes for every codec, none
 * included, so KSF compresses pages with snappy-java, zstd-jni and the JDK's gzip itself. Writing only; public for
 * hosts that write Parquet with parquet-java beside KSF.
 */
public final class Codecs implements CompressionCodecFactory {
    public static final Codecs INSTANCE = new Codecs();

    private Codecs() {
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED -> compressor(codec, bytes -> bytes);
            case SNAPPY -> compressor(codec, Snappy::compress);
            case ZSTD -> compressor(codec, bytes -> Zstd.compress(bytes, 3));
            case GZIP -> compressor(codec, Codecs::gzip);
            default -> throw new IllegalArgumentException("codec " + codec + " is not supported");
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        throw new UnsupportedOperationException("KSF writes Parquet; it does not read it");
    }

    @Override
    public void release() {
    }

    private interface Compression {
        byte[] apply(byte[] bytes) throws IOException;
    }

    private static BytesInputCompressor compressor(CompressionCodecName codec, Compression compression) {
        return new BytesInputCompressor() {
            @Override
            public BytesInput compress(BytesInput bytes) throws IOException {
                return BytesInput.from(compression.apply(bytes.toByteArray()));
            }

            @Override
            public CompressionCodecName getCodecName() {
                return codec;
            }

            @Override
            public void release() {
            }
        };
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }
}
