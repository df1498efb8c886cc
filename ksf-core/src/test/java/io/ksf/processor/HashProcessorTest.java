package io.ksf.processor;

import io.ksf.contract.ProcessorContract;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HashProcessorTest extends ProcessorContract {

    @Override
    protected Processor processor() {
        return new HashProcessor("MD5", List.of("email", "user.name"), "hash");
    }

    @Override
    protected KsfRecord passingRecord() {
        return KsfRecord.of("MyTopic", 2, 11, "{}")
                .withData(Map.of("email", "hello", "user", Map.of("name", "hello", "age", 30), "n", 1));
    }

    @Override
    protected KsfRecord failingRecord() {
        return KsfRecord.of("MyTopic", 2, 12, "\"text\"").withData("text");
    }

    @Test
    void namedFieldsBecomeTheirMd5HexDigest() {
        Object data = processor().process(passingRecord()).get(0).data();

        assertThat(data).isEqualTo(Map.of("email", "5d41402abc4b2a76b9719d911017c592",
                "user", Map.of("name", "5d41402abc4b2a76b9719d911017c592", "age", 30), "n", 1));
    }

    @Test
    void withNoFieldsTheWholeValueIsHashedAsTheSeedDoes() {
        KsfRecord record = KsfRecord.of("MyTopic", 0, 0, "hello");
        Object data = new HashProcessor("MD5", List.of(), "hashed").process(record).get(0).data();

        assertThat(data).isEqualTo(Map.of("hashed", "5d41402abc4b2a76b9719d911017c592"));
    }

    @Test
    void sha256IsAvailable() {
        KsfRecord record = KsfRecord.of("t", 0, 0, "hello");
        Object data = new HashProcessor("SHA-256", List.of(), "hash").process(record).get(0).data();

        assertThat(data).isEqualTo(Map.of("hash", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
    }

    @Test
    void anAbsentFieldStaysAbsent() {
        KsfRecord record = KsfRecord.of("t", 0, 0, "{}").withData(Map.of("other", 1));
        assertThat(processor().process(record).get(0).data()).isEqualTo(Map.of("other", 1));
        assertThat("hello".getBytes(StandardCharsets.UTF_8)).hasSize(5);
    }

    @Test
    void failingRecordIsInvalid() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> processor().process(failingRecord()))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("expected a JSON object, found string");
    }
}
