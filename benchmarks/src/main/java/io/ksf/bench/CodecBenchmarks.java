package io.ksf.bench;

import io.ksf.format.csv.CsvFormat;
import io.ksf.format.json.JsonFormat;
import io.ksf.processor.HashProcessor;
import io.ksf.processor.ValidateProcessor;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.RecordWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Per-record cost of the hot paths: decode, encode, validate, hash. */
@State(Scope.Thread)
public class CodecBenchmarks {
    private static final List<String> VALIDATED_FIELDS = List.of("", "index", "unique_id", "geo.country",
            "follower_count");

    @Param({"200", "2048"})
    public int size;

    private final JsonFormat json = new JsonFormat();
    private final CsvFormat csv = new CsvFormat(List.of("index", "unique_id", "follower_count", "country", "user"),
            true, ',');
    private byte[] jsonValue;
    private byte[] csvValue;
    private KsfRecord decoded;
    private KsfRecord decodedCsv;
    private RecordWriter jsonWriter;
    private RecordWriter csvWriter;
    private final ValidateProcessor validate = new ValidateProcessor(List.of("index", "unique_id", "geo.country"),
            Map.of("index", "integer", "follower_count", "integer"), null);
    private final HashProcessor hash = new HashProcessor("MD5", List.of("unique_id", "user.name"), "hash");

    /** Counts bytes and drops them: the cost of the encoder alone. */
    static final class Discard extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        jsonValue = Samples.postBytes(42, size);
        csvValue = Samples.csv(42).getBytes(StandardCharsets.UTF_8);
        decoded = KsfRecord.of("pins", 0, 42, 0, null, jsonValue, List.of()).withData(json.decode(jsonValue));
        decodedCsv = KsfRecord.of("pins", 0, 42, 0, null, csvValue, List.of()).withData(csv.decode(csvValue));
        jsonWriter = json.writer(new Discard());
        csvWriter = csv.writer(new Discard());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        jsonWriter.close();
        csvWriter.close();
    }

    @Benchmark
    public Object jsonDecode() {
        return json.decode(jsonValue);
    }

    /** What the validate processor reads of a post when it checks four fields: their types, off the bytes. */
    @Benchmark
    public Object jsonFieldTypes() {
        return json.fieldTypes(jsonValue, VALIDATED_FIELDS);
    }

    /** The pass-through path's check that a value is one line (so it is copied into JSON Lines as it is). */
    @Benchmark
    public boolean jsonLineCheck() {
        return json.copiesAsIs(jsonValue);
    }

    /** The same check a byte at a time, as it was: the baseline of {@link #jsonLineCheck}. */
    @Benchmark
    public boolean jsonLineCheckByteLoop() {
        for (byte b : jsonValue) {
            if (b == '\n' || b == '\r') {
                return false;
            }
        }
        return true;
    }

    @Benchmark
    public void jsonLinesEncode() throws IOException {
        jsonWriter.write(decoded);
    }

    @Benchmark
    public Object csvDecode() {
        return csv.decode(csvValue);
    }

    @Benchmark
    public void csvEncode() throws IOException {
        csvWriter.write(decodedCsv);
    }

    @Benchmark
    public Object validate() {
        return validate.process(decoded);
    }

    @Benchmark
    public Object hashTwoFields() {
        return hash.process(decoded);
    }
}
