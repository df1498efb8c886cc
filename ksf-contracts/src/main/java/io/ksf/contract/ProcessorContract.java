package io.ksf.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link Processor} must do: keep origins, be deterministic, leave its input alone, reject clearly. */
public abstract class ProcessorContract {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    protected abstract Processor processor();

    /** A decoded record that the processor lets through (possibly changed). */
    protected abstract KsfRecord passingRecord();

    /** A decoded record that the processor rejects, or null when it rejects nothing. */
    protected abstract KsfRecord failingRecord();

    @Test
    void outputsKeepTheOriginOfTheirInput() {
        KsfRecord input = passingRecord();
        List<KsfRecord> outputs = processor().process(input);
        assertThat(outputs).isNotEmpty().allSatisfy(out -> {
            assertThat(out.topic()).isEqualTo(input.topic());
            assertThat(out.partition()).isEqualTo(input.partition());
            assertThat(out.offset()).isEqualTo(input.offset());
        });
    }

    @Test
    void theSameInputGivesTheSameOutput() throws Exception {
        Processor processor = processor();
        String first = MAPPER.writeValueAsString(processor.process(passingRecord()).stream().map(KsfRecord::data).toList());
        String second = MAPPER.writeValueAsString(processor.process(passingRecord()).stream().map(KsfRecord::data).toList());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void theInputRecordIsLeftUnchanged() throws Exception {
        KsfRecord input = passingRecord();
        String before = MAPPER.writeValueAsString(input.data());
        processor().process(input);
        assertThat(MAPPER.writeValueAsString(input.data())).isEqualTo(before);
    }

    @Test
    void aRejectedRecordIsReportedAsInvalidWithAReason() {
        KsfRecord failing = failingRecord();
        Assumptions.assumeTrue(failing != null, "this processor rejects nothing");
        assertThatThrownBy(() -> processor().process(failing)).isInstanceOf(InvalidRecordException.class)
                .hasMessageMatching("(?s).{10,}");
    }
}
