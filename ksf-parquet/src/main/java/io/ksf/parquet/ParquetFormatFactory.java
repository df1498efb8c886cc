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
    public static final Option<String> SCHEMA = Option.string("schema", "path of a JSON Schema file whose "
            + "properties are the columns (required ones REQUIRED), or of an Avro schema (.avsc); none: columns "
            + "inferred from the records, fixed by the first object");
    public static final Option<String> SCHEMA_CHANGE = Option.choice("schema.change", "inferred columns: a "
            + "record with a new field or a fraction in an integer column, once the first object fixed them, goes "
            + "to the dead letters, or widens the columns of the objects it goes into", "dead-letter", "new-schema")
            .defaultValue("dead-letter");
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
        return "Parquet files with the columns of a JSON Schema, an Avro schema or the records (s3 and file targets)";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(SCHEMA, SCHEMA_CHANGE, CODEC, ROW_GROUP_SIZE, PAGE_SIZE);
    }

    @Override
    public void check(Options options) {
        if (options.get(SCHEMA) != null) {
            schemaFile(options);
        }
    }

    @Override
    public Format create(Options options) {
        long rowGroupSize = options.require(ROW_GROUP_SIZE);
        int pageSize = Math.toIntExact(options.require(PAGE_SIZE));
        if (options.get(SCHEMA) == null) {
            return ParquetFormat.inferred(options.require(SCHEMA_CHANGE).equals("new-schema"), codec(options),
                    rowGroupSize, pageSize);
        }
        Path file = schemaFile(options);
        if (file.toString().endsWith(".avsc")) {
            return new ParquetFormat(AvroSchemas.toParquet(file, options.path() + ".schema (" + file + ")"),
                    codec(options), rowGroupSize, pageSize);
        }
        Map<String, Object> schema;
        try {
            schema = new ObjectMapper().readValue(file.toFile(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new ConfigException(options.path() + ".schema: cannot read " + file + " as JSON: "
                    + e.getMessage());
        }
        return new ParquetFormat(JsonSchemas.toParquet(schema, options.path() + ".schema (" + file + ")"),
                codec(options), rowGroupSize, pageSize);
    }

    private static CompressionCodecName codec(Options options) {
        return CODECS.get(options.require(CODEC));
    }

    private static Path schemaFile(Options options) {
        Path file = Path.of(options.require(SCHEMA));
        if (!Files.isReadable(file)) {
            throw new ConfigException(options.path() + ".schema: expected a readable JSON Schema or Avro schema file, found "
                    + file + " (not there or not readable)");
        }
        return file;
    }
}
