package dev.espalier.policy.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

/**
 * Measures how fast this machine streams memory through the engine: a sum over an array much larger than the
 * caches, with the engine's threads, best of several runs. A decode step cannot be faster than its weight bytes
 * divided by this rate.
 */
public final class MemoryBandwidth {

    private MemoryBandwidth() {
    }

    /** @return bytes per second */
    public static double measure(NDManager manager, long bytes, int repeats) {
        double best = 0;
        try (NDScope ignored = new NDScope()) {
            // Distinct values in every page: pages of one repeated value can be merged by the host (KSM, seen here
            // as sums at 2x the rate of any real stream), and then the probe reads one page from cache.
            NDArray data = manager.arange(0f, (float) (bytes / Float.BYTES), 1f, DataType.FLOAT32);
            data.sum().toFloatArray(); // first touch, page faults
            for (int i = 0; i < repeats; i++) {
                try (NDScope step = new NDScope()) {
                    long start = System.nanoTime();
                    data.sum().toFloatArray();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    best = Math.max(best, bytes / seconds);
                }
            }
        }
        return best;
    }
}
