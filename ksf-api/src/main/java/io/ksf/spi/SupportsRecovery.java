package io.ksf.spi;

/**
 * A target that stores objects cut at offsets (the s3 and file targets). The runtime needs it because a replay
 * after a crash may cut its objects at other offsets than the run that crashed: the objects that run stored past
 * its last commit must go, or their records would be stored twice.
 */
public interface SupportsRecovery {

    /**
     * These partitions were just assigned and the source resumes them at these positions: remove anything stored
     * for them at or past a position. Called before any record of these partitions is written; retried on failure.
     */
    void recover(Positions resumeAt);
}
