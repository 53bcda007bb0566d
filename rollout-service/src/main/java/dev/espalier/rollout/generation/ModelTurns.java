package dev.espalier.rollout.generation;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Turns on the process's one model (and its adapter cache, which is not thread-safe): the rollout worker and the
 * "ask the current model" requests take them first come, first served, so a question waits for at most the batch in
 * progress and never jumps ahead of more than one.
 */
public final class ModelTurns {

    private final ReentrantLock lock = new ReentrantLock(true);

    public <T> T take(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** The generator, each call in its turn. */
    public RolloutGenerator around(RolloutGenerator generator) {
        return (prompt, queuedMillis, deltas) -> take(() -> generator.generate(prompt, queuedMillis, deltas));
    }
}
