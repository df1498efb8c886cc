package io.ksf.contract;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourceContext;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsLag;
import io.ksf.spi.SupportsResumePositions;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Forwards reading, commits and the resume positions and lag the other source has; tests extend it to watch commits,
 * or to break a poll or a commit. Its servers are not checked and it hears of no dead letter.
 */
public class DelegatingSource
        implements Source, SupportsResumePositions, SupportsLag {
    private final Source delegate;

    /** A source that passes every call to {@code delegate}; override the calls to interfere with. */
    public DelegatingSource(Source delegate) {
        this.delegate = delegate;
    }

    @Override
    public void open(SourceContext context) {
        delegate.open(context);
    }

    @Override
    public List<KsfRecord> poll(Duration timeout) {
        return delegate.poll(timeout);
    }

    @Override
    public void commit(Positions positions) {
        delegate.commit(positions);
    }

    @Override
    public Positions resumePositions(Collection<SourcePartition> partitions) {
        return delegate instanceof SupportsResumePositions resumable ? resumable.resumePositions(partitions)
                : Positions.empty();
    }

    @Override
    public void pause(Collection<SourcePartition> partitions) {
        delegate.pause(partitions);
    }

    @Override
    public void resume(Collection<SourcePartition> partitions) {
        delegate.resume(partitions);
    }

    @Override
    public Map<SourcePartition, Long> lag() {
        return delegate instanceof SupportsLag lagging ? lagging.lag() : Map.of();
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
