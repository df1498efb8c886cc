package io.ksf.spi;

import java.time.Duration;
import java.util.List;

/**
 * A source or target that can check the servers it uses (every adapter that talks to a server). The runtime
 * checks the targets at start and the source when no partition is assigned within the startup timeout, so that a
 * server that cannot be reached or refuses KSF is an error that names it; {@code ksf check} runs every check.
 */
public interface SupportsServerCheck {

    /**
     * Connects and checks what reading or writing needs (reachable, authenticated, topic or bucket present and
     * usable), each check within {@code timeout}; never throws for a failed check.
     *
     * @param probeWrite for a target, as {@code ksf check} asks: also store a small probe where records go and
     *                   remove it again; without, only connect and authenticate. Sources ignore it.
     */
    List<Check> check(Duration timeout, boolean probeWrite);
}
