package io.ksf.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps the highest live heap seen: the heap pools' usage right after each collection, so garbage that the
 * collector has not yet reclaimed does not count.
 */
final class HeapWatch {
    private final AtomicLong peak = new AtomicLong();
    private volatile boolean running = true;

    HeapWatch() {
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported())
                .toList();
        Thread thread = new Thread(() -> {
            while (running) {
                long live = 0;
                for (MemoryPoolMXBean pool : heapPools) {
                    MemoryUsage afterGc = pool.getCollectionUsage();
                    live += afterGc == null ? 0 : afterGc.getUsed();
                }
                peak.accumulateAndGet(live, Math::max);
                LockSupport.parkNanos(20_000_000);
            }
        }, "heap-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops watching; the peak live heap in bytes. */
    long stop() {
        running = false;
        return peak.get();
    }
}
