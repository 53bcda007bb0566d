package dev.espalier.policy.model;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkerPoolTest {

    @Test
    void split_runsEveryIndexExactlyOnce_inPartsStartingOnTheAlignment() {
        try (WorkerPool pool = new WorkerPool(3, "test-pool")) {
            for (int[] shape : new int[][]{{1, 1}, {5, 1}, {100, 32}, {49152, 32}, {31, 32}, {577, 16}}) {
                int n = shape[0];
                int align = shape[1];
                for (int repeat = 0; repeat < 200; repeat++) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(n);
                    pool.split(n, align, (from, to) -> {
                        assertEquals(0, from % align, "part start " + from);
                        for (int i = from; i < to; i++) {
                            runs.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, runs.get(i), "index " + i + " of " + n);
                    }
                }
            }
        }
    }

    @Test
    void split_rethrowsAPartsFailure_andTheNextSplitRunsNormally() {
        try (WorkerPool pool = new WorkerPool(2, "test-pool")) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.split(64, 1,
                    (from, to) -> {
                        if (to == 64) {
                            throw boom;
                        }
                    }));
            assertSame(boom, thrown);
            AtomicIntegerArray runs = new AtomicIntegerArray(64);
            pool.split(64, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    runs.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 64; i++) {
                assertEquals(1, runs.get(i), "index " + i);
            }
        }
    }
}
