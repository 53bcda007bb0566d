package dev.espalier.policy.model;

import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that split one range of work with the calling thread: {@link #split} hands each worker a
 * contiguous part, runs the first part itself and returns when all are done. A decode step makes ~150 such calls of
 * tens to hundreds of microseconds each, so a worker spins briefly for its next part before it parks (waking a
 * parked thread costs about as much as a small part), and a caller waiting for results spins briefly, then yields:
 * on a machine with more runnable threads than cores, spinning longer only keeps the awaited worker off the CPU.
 */
final class WorkerPool implements AutoCloseable {

    /** Work on the index range [from, to). */
    @FunctionalInterface
    interface RangeTask {
        void run(int from, int to);
    }

    private static final int SPINS_BEFORE_PARKING = 1 << 14;
    private static final int SPINS_BEFORE_YIELDING = 1 << 10;

    private final Worker[] workers;

    /** @param threads the threads that share a range, the caller included */
    WorkerPool(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            Thread.ofPlatform().name(name + "-" + (i + 1)).daemon().start(workers[i]);
        }
    }

    int threads() {
        return workers.length + 1;
    }

    /**
     * Runs {@code task} over [0, n) in one part per thread, each part's bounds a multiple of {@code align} (but the
     * last); small ranges run on the caller alone.
     */
    synchronized void split(int n, int align, RangeTask task) {
        int parts = Math.min(threads(), n / align);
        if (parts <= 1) {
            task.run(0, n);
            return;
        }
        int units = (n + align - 1) / align;
        int[] bounds = new int[parts + 1];
        for (int p = 1; p <= parts; p++) {
            bounds[p] = Math.min(n, (int) ((long) units * p / parts) * align);
        }
        for (int p = 1; p < parts; p++) {
            workers[p - 1].post(task, bounds[p], bounds[p + 1]);
        }
        Throwable failure = null;
        try {
            task.run(0, bounds[1]);
        } catch (Throwable t) {
            failure = t;
        }
        for (int p = 1; p < parts; p++) {
            Throwable t = workers[p - 1].await();
            if (failure == null) {
                failure = t;
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            w.post(null, -1, -1);
        }
    }

    private static final class Worker implements Runnable {
        private volatile Thread thread;
        private volatile RangeTask task;
        private volatile boolean done = true;
        private int from;
        private int to;
        private Throwable failure;

        void post(RangeTask next, int from, int to) {
            this.from = from;
            this.to = to;
            this.failure = null;
            done = false;
            task = next == null ? STOP : next;
            LockSupport.unpark(thread);
        }

        Throwable await() {
            int spins = 0;
            while (!done) {
                if (++spins < SPINS_BEFORE_YIELDING) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            return failure;
        }

        @Override
        public void run() {
            thread = Thread.currentThread();
            while (true) {
                RangeTask next = nextTask();
                if (next == STOP) {
                    return;
                }
                try {
                    next.run(from, to);
                } catch (Throwable t) {
                    failure = t;
                }
                task = null;
                done = true;
            }
        }

        private RangeTask nextTask() {
            int spins = 0;
            RangeTask next;
            while ((next = task) == null) {
                if (++spins < SPINS_BEFORE_PARKING) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            return next;
        }

        private static final RangeTask STOP = (from, to) -> {
        };
    }
}
