package io.ksf.processor;

import io.ksf.contract.ProcessorContract;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitProcessorTest extends ProcessorContract {
    private static final Processor WORDS = new SplitProcessor(null, Pattern.compile(SplitProcessor.WORDS), true);

    @Override
    protected Processor processor() {
        return new SplitProcessor("text", Pattern.compile(SplitProcessor.WORDS), true);
    }

    @Override
    protected KsfRecord passingRecord() {
        return KsfRecord.of("papers", 0, 7, "").withData(Map.of("text", "a line"));
    }

    @Override
    protected KsfRecord failingRecord() {
        return KsfRecord.of("papers", 0, 8, "").withData(Map.of("other", "a line"));
    }

    private static List<Object> tokens(List<KsfRecord> records) {
        return records.stream().map(KsfRecord::data).toList();
    }

    @Test
    void aLineBecomesItsLowerCasedWordsEachWithTheLinesOrigin() {
        KsfRecord line = KsfRecord.of("papers/a.txt", 0, 41, "The cat's mat, the CAT! 'Quoted' caf\u00e9 2026 -- ");

        List<KsfRecord> words = WORDS.process(line);

        assertThat(tokens(words)).containsExactly("the", "cat's", "mat", "the", "cat", "quoted", "caf\u00e9", "2026");
        assertThat(words).allSatisfy(word -> assertThat(word.origin()).isEqualTo("papers/a.txt/0@41"));
    }

    @Test
    void aBlankLineGivesNoRecordAndAMissingFieldIsABadRecord() {
        assertThat(WORDS.process(KsfRecord.of("papers/a.txt", 0, 1, "  ,  "))).isEmpty();
        assertThatThrownBy(() -> processor().process(failingRecord())).isInstanceOf(InvalidRecordException.class)
                .hasMessage("invalid record: field 'text' is missing");
    }

    @Test
    void tokensKeepTheirCaseWhenAsked() {
        Processor keepCase = new SplitProcessor(null, Pattern.compile("\\s+"), false);
        assertThat(tokens(keepCase.process(KsfRecord.of("t", 0, 0, "Kafka Streams")))).containsExactly("Kafka", "Streams");
    }
}
