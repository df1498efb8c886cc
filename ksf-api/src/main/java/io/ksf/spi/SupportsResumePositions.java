package io.ksf.spi;

import java.util.Collection;

/**
 * A source that can tell where reading of newly assigned partitions resumes (the kafka, s3 and kinesis sources).
 * The runtime needs it so that a target that stores objects removes what an earlier run stored past the last
 * commit (see {@link SupportsRecovery}).
 */
public interface SupportsResumePositions {

    /**
     * The position of the next record {@link Source#poll} returns for each of these partitions, after any reset.
     * Called on the poll thread while the source reports them {@linkplain SourceContext#assigned assigned}.
     */
    Positions resumePositions(Collection<SourcePartition> partitions);
}
