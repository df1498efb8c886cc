package io.ksf.testkit;

import io.ksf.spi.Format;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.Target;
import io.ksf.spi.SourcePartition;

import java.util.Collection;
import java.util.List;

/** Forwards everything to another target; tests extend it to slow down, count or break one step. */
public class DelegatingTarget implements Target {
    private final Target delegate;

    /** A target that passes every call to {@code delegate}; override the calls to interfere with. */
    public DelegatingTarget(Target delegate) {
        this.delegate = delegate;
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
    public boolean writesRaw(Format sourceFormat) {
        return delegate.writesRaw(sourceFormat);
    }

    @Override
    public List<io.ksf.spi.Rejected> takeRejected() {
        return delegate.takeRejected();
    }

    @Override
    public void recover(Positions resumeAt) {
        delegate.recover(resumeAt);
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
