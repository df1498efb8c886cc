package io.ksf.pipeline;

import io.ksf.spi.Check;
import io.ksf.spi.KsfException;
import io.ksf.spi.Source;
import io.ksf.spi.SupportsServerCheck;
import io.ksf.spi.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The checks of a pipeline's servers: all of them, with probe writes, for {@code ksf check}; and the two that
 * {@link Pipeline#run()} makes so that a misconfigured server is an error that names it, never a silent wait.
 */
final class ServerChecks {
    private static final Logger LOG = LoggerFactory.getLogger(ServerChecks.class);

    private final Source source;
    private final Target target;
    private final Target deadLetter;

    ServerChecks(Source source, Target target, Target deadLetter) {
        this.source = source;
        this.target = target;
        this.deadLetter = deadLetter;
    }

    /** Every check, the subject prefixed by {@code source}, {@code target} or {@code deadletter}. */
    List<Check> all(Duration timeout) {
        List<Check> checks = new ArrayList<>();
        checksOf(source, timeout, false).forEach(c -> checks.add(c.in("source")));
        checks.addAll(targets(timeout, true));
        return checks;
    }

    private List<Check> targets(Duration timeout, boolean probeWrite) {
        List<Check> checks = new ArrayList<>();
        checksOf(target, timeout, probeWrite).forEach(c -> checks.add(c.in("target")));
        if (deadLetter != null) {
            checksOf(deadLetter, timeout, probeWrite).forEach(c -> checks.add(c.in("deadletter")));
        }
        return checks;
    }

    /**
     * At start: the targets must answer and take our credentials within the timeout (checked again every second,
     * so a store that is briefly down is waited for).
     *
     * @throws KsfException naming every check that still fails
     */
    void awaitTargets(Duration timeout, BooleanSupplier stopping) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Check> checks = targets(timeout, false);
            if (checks.stream().allMatch(Check::passed) || System.nanoTime() - deadline > 0
                    || stopping.getAsBoolean()) {
                failOn(checks);
                return;
            }
            LOG.warn("not ready yet, checking again in 1 s: {}", checks.stream().filter(c -> !c.passed()).toList());
            LockSupport.parkNanos(1_000_000_000L);
        }
    }

    /**
     * No partition within the startup timeout: either the source's servers are at fault, which fails the pipeline
     * with the cause, or other members of the group hold every partition, which is fine.
     *
     * @throws KsfException naming every check of the source that fails
     */
    void sourceWithoutPartitions(Duration timeout) {
        List<Check> checks = checksOf(source, timeout, false).stream().map(c -> c.in("source")).toList();
        failOn(checks);
        LOG.warn("no partition assigned after {}, although the source's servers pass their checks ({}); other "
                + "members of the group may hold every partition", timeout, checks);
    }

    /** The checks of a source or target that can check its servers; none for one that cannot. */
    private static List<Check> checksOf(Object component, Duration timeout, boolean probeWrite) {
        return component instanceof SupportsServerCheck checked ? checked.check(timeout, probeWrite) : List.of();
    }

    private static void failOn(List<Check> checks) {
        List<Check> failed = checks.stream().filter(c -> !c.passed()).toList();
        if (failed.isEmpty()) {
            return;
        }
        failed.forEach(c -> LOG.error("{}", c));
        throw new KsfException("cannot start: " + String.join("; ", failed.stream()
                .map(c -> c.subject() + ": " + c.message()).toList()));
    }
}
