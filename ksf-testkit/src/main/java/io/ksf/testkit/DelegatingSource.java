package io.ksf.testkit;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.PartitionListener;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.SourcePartition;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Forwards everything to another source; tests extend it to watch commits, or to break a poll or a commit. */
public class DelegatingSource implements Source {
    private final Source delegate;

    /** A source that passes every call to {@code delegate}; override the calls to interfere with. */
    public DelegatingSource(Source delegate) {
        this.delegate = delegate;
    }

    @Override
    public void open(PartitionListener listener) {
        delegate.open(listener);
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
        return delegate.resumePositions(partitions);
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
        return delegate.lag();
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
