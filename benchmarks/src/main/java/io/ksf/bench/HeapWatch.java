package io.ksf.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps the highest live heap seen. By default it reads the heap pools' usage right after each collection the
 * application caused, an upper bound under G1 (promoted garbage that no mixed collection has reclaimed yet
 * counts). With {@code fullCollections} it forces a full collection every half second and reads the heap after
 * it: the live set itself, at the cost of the pauses, so only the memory runs use it.
 */
final class HeapWatch {
    private final AtomicLong peak = new AtomicLong();
    private volatile boolean running = true;

    HeapWatch(boolean fullCollections) {
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported())
                .toList();
        Thread thread = new Thread(() -> {
            while (running) {
                long live;
                if (fullCollections) {
                    System.gc();
                    live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                } else {
                    live = 0;
                    for (MemoryPoolMXBean pool : heapPools) {
                        MemoryUsage afterGc = pool.getCollectionUsage();
                        live += afterGc == null ? 0 : afterGc.getUsed();
                    }
                }
                peak.accumulateAndGet(live, Math::max);
                LockSupport.parkNanos(fullCollections ? 500_000_000 : 20_000_000);
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
