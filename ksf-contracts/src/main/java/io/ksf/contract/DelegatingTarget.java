package io.ksf.contract;

import io.ksf.spi.Format;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsRecovery;
import io.ksf.spi.Target;
import io.ksf.spi.TargetContext;

import java.util.Collection;
import java.util.List;

/**
 * Forwards writes, flushes, recovery and discards to another target; tests extend it to slow down, count or break
 * one step. Its flush runs whole in {@code startFlush}, its servers are not checked and it commits no positions.
 */
public class DelegatingTarget implements Target, SupportsRecovery {
    private final Target delegate;

    /** A target that passes every call to {@code delegate}; override the calls to interfere with. */
    public DelegatingTarget(Target delegate) {
        this.delegate = delegate;
    }

    @Override
    public void open(TargetContext context) {
        delegate.open(context);
    }

    @Override
    public void write(List<KsfRecord> records) {
        delegate.write(records);
    }

    @Override
    public Positions flush() {
        return delegate.flush();
    }

    @Override
    public boolean takesUndecoded(Format sourceFormat) {
        return delegate.takesUndecoded(sourceFormat);
    }

    @Override
    public void recover(Positions resumeAt) {
        if (delegate instanceof SupportsRecovery recovering) {
            recovering.recover(resumeAt);
        }
    }

    @Override
    public void discard(Collection<SourcePartition> partitions) {
        delegate.discard(partitions);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
