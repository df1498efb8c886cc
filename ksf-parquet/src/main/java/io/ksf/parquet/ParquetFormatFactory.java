package io.ksf.parquet;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.ConfigException;
import io.ksf.spi.Format;
import io.ksf.spi.FormatFactory;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The {@code parquet} format, for the s3 and file targets. */
public final class ParquetFormatFactory implements FormatFactory {
    public static final Option<String> SCHEMA = Option.string("schema",
            "path of a JSON Schema file whose properties are the columns (required ones REQUIRED)").required();
    public static final Option<String> CODEC = Option.choice("codec", "page compression", "snappy", "zstd",
            "gzip", "none").defaultValue("snappy");
    public static final Option<Long> ROW_GROUP_SIZE = Option.size("parquet.row.group.size",
            "bytes of a row group held in memory before it is written out").defaultValue(8L << 20);
    public static final Option<Long> PAGE_SIZE = Option.size("parquet.page.size", "bytes of a page")
            .defaultValue(1L << 20);
    private static final Map<String, CompressionCodecName> CODECS = Map.of("snappy", CompressionCodecName.SNAPPY,
            "zstd", CompressionCodecName.ZSTD, "gzip", CompressionCodecName.GZIP, "none",
            CompressionCodecName.UNCOMPRESSED);

    @Override
    public String name() {
        return "parquet";
    }

    @Override
    public String description() {
        return "Parquet files with the columns of a JSON Schema (s3 and file targets)";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(SCHEMA, CODEC, ROW_GROUP_SIZE, PAGE_SIZE);
    }

    @Override
    public void check(Options options) {
        schemaFile(options);
    }

    @Override
    public Format create(Options options) {
        Path file = schemaFile(options);
        Map<String, Object> schema;
        try {
            schema = new ObjectMapper().readValue(file.toFile(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new ConfigException(options.path() + ".schema: cannot read " + file + " as JSON: "
                    + e.getMessage());
        }
        return new ParquetFormat(JsonSchemas.toParquet(schema, options.path() + ".schema (" + file + ")"),
                codec(options), options.require(ROW_GROUP_SIZE), Math.toIntExact(options.require(PAGE_SIZE)));
    }

    private static CompressionCodecName codec(Options options) {
        return CODECS.get(options.require(CODEC));
    }

    private static Path schemaFile(Options options) {
        Path file = Path.of(options.require(SCHEMA));
        if (!Files.isReadable(file)) {
            throw new ConfigException(options.path() + ".schema: expected a readable JSON Schema file, found "
                    + file + " (not there or not readable)");
        }
        return file;
    }
}
