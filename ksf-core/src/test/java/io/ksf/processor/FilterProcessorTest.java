package io.ksf.processor;

import io.ksf.contract.ProcessorContract;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class FilterProcessorTest extends ProcessorContract {

    private static KsfRecord withCountry(Object country) {
        return KsfRecord.of("geo", 0, 3, "{}").withData(Map.of("geo", Map.of("country", country)));
    }

    @Override
    protected Processor processor() {
        return new FilterProcessor("geo.country", "UK", null, false);
    }

    @Override
    protected KsfRecord passingRecord() {
        return withCountry("UK");
    }

    @Override
    protected KsfRecord failingRecord() {
        return null; // a filter drops records, it never rejects them
    }

    @Test
    void keepsEqualValuesAndDropsTheRest() {
        assertThat(processor().process(withCountry("UK"))).hasSize(1);
        assertThat(processor().process(withCountry("FR"))).isEmpty();
        assertThat(processor().process(KsfRecord.of("geo", 0, 4, "{}").withData(Map.of()))).isEmpty();
    }

    @Test
    void matchesTheWholeTextAgainstARegularExpression() {
        Processor filter = new FilterProcessor("geo.country", null, Pattern.compile("U[KS]"), false);
        assertThat(filter.process(withCountry("US"))).hasSize(1);
        assertThat(filter.process(withCountry("USA"))).isEmpty();
    }

    @Test
    void invertKeepsTheOthers() {
        Processor filter = new FilterProcessor("geo.country", "UK", null, true);
        assertThat(filter.process(withCountry("UK"))).isEmpty();
        assertThat(filter.process(withCountry("FR"))).hasSize(1);
    }

    @Test
    void numbersCompareByTheirText() {
        Processor filter = new FilterProcessor("geo.country", "44", null, false);
        assertThat(filter.process(withCountry(44))).hasSize(1);
    }
}
