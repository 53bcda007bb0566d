package dev.espalier.rollout.generation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Pending work per session, handed out round-robin: each session's items in their order, sessions taking turns,
 * so no session waits behind another's backlog. Thread-safe; {@link #take()} blocks until something is pending.
 */
public final class FairQueue<T> {

    private final Map<UUID, Deque<T>> pending = new HashMap<>();
    /** Sessions with pending items, in the order they get their next turn. */
    private final Deque<UUID> turns = new ArrayDeque<>();

    public synchronized void put(UUID sessionId, T item) {
        Deque<T> queue = pending.computeIfAbsent(sessionId, id -> new ArrayDeque<>());
        if (queue.isEmpty()) {
            turns.addLast(sessionId);
        }
        queue.addLast(item);
        notifyAll();
    }

    public synchronized T take() throws InterruptedException {
        while (turns.isEmpty()) {
            wait();
        }
        UUID sessionId = turns.removeFirst();
        Deque<T> queue = pending.get(sessionId);
        T item = queue.removeFirst();
        if (queue.isEmpty()) {
            pending.remove(sessionId);
        } else {
            turns.addLast(sessionId);
        }
        return item;
    }

    public synchronized int size() {
        return pending.values().stream().mapToInt(Deque::size).sum();
    }
}
