package io.ksf.contract;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The in-memory source passes the contract it stands in for, with small polls and two partitions. */
class InMemorySourceContractTest extends SourceContract {
    private final List<KsfRecord> records = new ArrayList<>();
    private InMemorySource last;

    @Override
    protected void produce(List<String> values) {
        for (String value : values) {
            int partition = records.size() % 2;
            long offset = records.stream().filter(r -> r.partition() == partition).count();
            records.add(KsfRecord.of("input", partition, offset, 0L, null, value.getBytes(StandardCharsets.UTF_8),
                    List.of()));
        }
    }

    @Override
    protected Source newSource() {
        Positions committed = last == null ? Positions.empty() : last.committed();
        last = new InMemorySource(records, committed, 3);
        return last;
    }
}
