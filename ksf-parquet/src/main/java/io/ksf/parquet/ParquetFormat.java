package io.ksf.parquet;

import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RecordWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parquet objects: each object the target cuts is one Parquet file (its footer is written when the object is
 * closed), with the columns of a schema, pages compressed by a codec, dictionary encoding and column statistics.
 * The columns come from a schema, or are inferred from the records ({@link #inferred}). KSF writes Parquet; it
 * does not read it ({@link #decode} refuses).
 */
public final class ParquetFormat implements Format {
    /**
     * Heap an open parquet-java writer keeps per leaf column, empty or not: a 16 KiB dictionary index and a few
     * KiB of page buffers (measured with parquet-java 1.18: 179 KiB for 9 columns).
     */
    static final long HELD_PER_COLUMN = 20 << 10;
    private final MessageType schema;
    private final InferredColumns inferred;
    private final CompressionCodecName codec;
    private final long rowGroupSize;
    private final int pageSize;

    /**
     * @param schema       the columns every record is written as
     * @param codec        how pages are compressed: SNAPPY, ZSTD, GZIP or UNCOMPRESSED
     * @param rowGroupSize the bytes of a row group held in memory before it is written out
     * @param pageSize     the bytes of a page
     */
    public ParquetFormat(MessageType schema, CompressionCodecName codec, long rowGroupSize, int pageSize) {
        this(schema, null, codec, rowGroupSize, pageSize);
    }

    /**
     * Columns inferred from the records ({@link InferredColumns}): the first object finished fixes them.
     *
     * @param newSchema whether a record that does not fit the fixed columns widens them in the objects it goes
     *                  into (true) or is refused, to go to the dead letters (false)
     */
    public static ParquetFormat inferred(boolean newSchema, CompressionCodecName codec, long rowGroupSize,
                                         int pageSize) {
        return new ParquetFormat(null, new InferredColumns(newSchema ? InferredColumns.SchemaChange.NEW_SCHEMA
                : InferredColumns.SchemaChange.DEAD_LETTER), codec, rowGroupSize, pageSize);
    }

    private ParquetFormat(MessageType schema, InferredColumns inferred, CompressionCodecName codec,
                          long rowGroupSize, int pageSize) {
        this.schema = schema;
        this.inferred = inferred;
        this.codec = codec;
        this.rowGroupSize = rowGroupSize;
        this.pageSize = pageSize;
    }

    /** The columns records are written as: the schema's, or those inferred so far. */
    public MessageType schema() {
        return schema != null ? schema : inferred.schema(false);
    }

    @Override
    public String name() {
        return "parquet";
    }

    @Override
    public String extension() {
        return "parquet";
    }

    @Override
    public Object decode(byte[] value) {
        throw new InvalidRecordException("parquet is an output format: KSF writes it but does not read it");
    }

    @Override
    public RecordWriter writer(OutputStream out) {
        if (schema != null) {
            return new RowsWriter(out, schema, null);
        }
        return inferred.mayGrow() ? new HeldRowsWriter(out) : new RowsWriter(out, inferred.schema(false), inferred);
    }

    /** Converts each record as it comes and hands it to parquet-java, which holds a row group at a time. */
    private final class RowsWriter implements RecordWriter {
        private final MessageType columns;
        private final InferredColumns check;
        private final StreamOutputFile file;
        private final ParquetWriter<Object[]> writer;
        /** What the writer's column buffers hold, fixed by the columns (heldBytes is asked after every write). */
        private final long held;

        /** @param check the inferred columns that refuse a new field, or null for a schema's */
        RowsWriter(OutputStream out, MessageType columns, InferredColumns check) {
            this.columns = columns;
            this.check = check;
            this.held = columns.getColumns().size() * HELD_PER_COLUMN;
            this.file = new StreamOutputFile(out);
            try {
                writer = new Builder(file, columns).withConf(new PlainParquetConfiguration())
                        .withCodecFactory(Codecs.INSTANCE).withCompressionCodec(codec).withRowGroupSize(rowGroupSize)
                        .withPageSize(pageSize).withDictionaryEncoding(true)
                        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build();
            } catch (IOException e) {
                throw new KsfException("cannot start a Parquet file: " + e.getMessage(), e);
            }
        }

        @Override
        public void write(KsfRecord record) throws IOException {
            if (check != null) {
                check.accept(record.data());
            }
            // converted whole first: a record that does not fit leaves nothing half-written
            writer.write(Rows.convert(columns, record.data(), ""));
        }

        @Override
        public long bufferedBytes() {
            return Math.max(0, writer.getDataSize() - file.written());
        }

        @Override
        public long heldBytes() {
            return held;
        }

        @Override
        public void close() throws IOException {
            writer.close();
        }
    }

    /**
     * While inferred columns may still grow, an object holds its records' data and writes them when it is
     * finished, with the columns as they are then (which every held record fits: columns only widen).
     */
    private final class HeldRowsWriter implements RecordWriter {
        private final OutputStream out;
        private final List<Object> held = new ArrayList<>();
        private long heldBytes;

        HeldRowsWriter(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(KsfRecord record) {
            inferred.accept(record.data());
            held.add(record.data());
            heldBytes += record.sizeInBytes();
        }

        @Override
        public long bufferedBytes() {
            return heldBytes;
        }

        @Override
        public void close() throws IOException {
            if (held.isEmpty()) {
                return;
            }
            MessageType columns = inferred.schema(true);
            RowsWriter writer = new RowsWriter(out, columns, null);
            for (Object data : held) {
                writer.writer.write(Rows.convert(columns, data, ""));
            }
            held.clear();
            writer.close();
        }
    }

    /** Writes rows that {@link Rows#convert} made. */
    private static final class RowWriteSupport extends WriteSupport<Object[]> {
        private final MessageType schema;
        private RecordConsumer consumer;

        RowWriteSupport(MessageType schema) {
            this.schema = schema;
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, Map.of());
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, Map.of());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(Object[] row) {
            consumer.startMessage();
            Rows.emit(consumer, schema, row);
            consumer.endMessage();
        }
    }

    /** parquet-java's builder with KSF's write support; Hadoop's types appear in signatures only. */
    private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
        private final MessageType schema;

        Builder(OutputFile file, MessageType schema) {
            super(file);
            this.schema = schema;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(Configuration configuration) {
            return new RowWriteSupport(schema);
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(ParquetConfiguration configuration) {
            return new RowWriteSupport(schema);
        }
    }
}
