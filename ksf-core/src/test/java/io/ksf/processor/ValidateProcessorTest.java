package io.ksf.processor;

import io.ksf.contract.ProcessorContract;
import io.ksf.spi.ConfigException;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValidateProcessorTest extends ProcessorContract {
    @TempDir
    Path dir;

    static KsfRecord post(Object data) {
        return KsfRecord.of("pins", 0, 7, "{}").withData(data);
    }

    @Override
    protected Processor processor() {
        return new ValidateProcessor(List.of("user.id", "geo"), Map.of("user.id", "integer", "geo.lat", "number"), null);
    }

    @Override
    protected KsfRecord passingRecord() {
        return post(Map.of("user", Map.of("id", 5), "geo", Map.of("lat", new BigDecimal("51.5"))));
    }

    @Override
    protected KsfRecord failingRecord() {
        return post(Map.of("user", Map.of("id", "five")));
    }

    @Test
    void everyProblemIsInTheMessage() {
        assertThatThrownBy(() -> processor().process(failingRecord())).isInstanceOf(InvalidRecordException.class)
                .hasMessage("invalid record: field 'geo' is missing; field 'geo.lat' is missing; "
                        + "field 'user.id' should be integer but is string");
    }

    /** Undecoded, through a format's field types, each record gets the outcome it gets decoded. */
    @Test
    void undecodedRecordsAreJudgedAsTheDecodedAre() {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        Format format = new Format() { // fieldTypes: the SPI's default, which decodes
            public String name() {
                return "json";
            }

            public String extension() {
                return "json";
            }

            public Object decode(byte[] value) {
                try {
                    return mapper.readValue(value, Object.class);
                } catch (java.io.IOException e) {
                    throw new InvalidRecordException("not valid JSON");
                }
            }

            public io.ksf.spi.RecordWriter writer(java.io.OutputStream out) {
                throw new UnsupportedOperationException();
            }
        };
        ValidateProcessor validate = (ValidateProcessor) processor();
        assertThat(validate.takesUndecoded(format)).isTrue();
        for (String value : List.of("{\"user\": {\"id\": 5}, \"geo\": {\"lat\": 51.5}}", "{\"user\": {\"id\": \"5\"}}",
                "{\"user\": {\"id\": 5}, \"geo\": 1}", "[1, 2]", "7", "{}")) {
            KsfRecord undecoded = KsfRecord.of("pins", 0, 7, value);
            assertThat(outcome(() -> validate.processUndecoded(undecoded, format))).as(value)
                    .isEqualTo(outcome(() -> validate.process(undecoded.withData(format.decode(undecoded.value())))));
        }
        assertThat(new ValidateProcessor(List.of(), Map.of(), null).takesUndecoded(format)).isTrue();
    }

    private static String outcome(java.util.function.Supplier<List<KsfRecord>> processing) {
        try {
            return "passed " + processing.get().size();
        } catch (InvalidRecordException e) {
            return e.getMessage();
        }
    }

    @Test
    void aValueThatIsNotAnObjectFails() {
        assertThatThrownBy(() -> processor().process(post(List.of(1, 2)))).isInstanceOf(InvalidRecordException.class)
                .hasMessage("invalid record: expected a JSON object, found array");
    }

    @Test
    void aJsonSchemaIsChecked() throws Exception {
        Path schema = Files.writeString(dir.resolve("post.schema.json"), """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "required": ["id"], "properties": {"id": {"type": "integer", "minimum": 1}}}""");
        Processor processor = new ValidateProcessor(List.of(), Map.of(), schema);

        assertThat(processor.process(post(Map.of("id", 3)))).hasSize(1);
        assertThatThrownBy(() -> processor.process(post(Map.of("id", 0)))).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("minimum");
        assertThat(((ValidateProcessor) processor).takesUndecoded(null)).as("a schema needs the decoded value")
                .isFalse();
    }

    @Test
    void anUnknownTypeNameIsAConfigError() {
        assertThatThrownBy(() -> new ValidateProcessor(List.of(), Map.of("id", "int"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("types.id: expected one of array, boolean, integer, null, number, object, string, found \"int\"");
    }
}
