package dev.espalier.trainer.training;

import dev.espalier.policy.state.TrainingState;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Training states a person may go back to, kept in memory after HEAD left them: the state before each step (where
 * an undo goes) and the state a move left (where a redo goes). Taking one back needs no replay. At most
 * {@code capacity} states in the process, the least recently used closed first; touched on the model thread only.
 */
final class StateShelf implements AutoCloseable {

    private record Key(UUID session, long version) {
    }

    private final int capacity;
    private final LinkedHashMap<Key, TrainingState> states = new LinkedHashMap<>(16, 0.75f, true);

    StateShelf(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("states kept must be >= 0, was " + capacity);
        }
        this.capacity = capacity;
    }

    boolean keeps() {
        return capacity > 0;
    }

    /** Shelves {@code state} as {@code version} of the session, owning it from now on. */
    void put(UUID session, long version, TrainingState state) {
        if (capacity == 0) {
            state.close();
            return;
        }
        TrainingState replaced = states.put(new Key(session, version), state);
        if (replaced != null && replaced != state) {
            replaced.close();
        }
        Iterator<Map.Entry<Key, TrainingState>> oldest = states.entrySet().iterator();
        while (states.size() > capacity) {
            oldest.next().getValue().close();
            oldest.remove();
        }
    }

    /** The shelved state of that version, handed over to the caller. */
    Optional<TrainingState> take(UUID session, long version) {
        return Optional.ofNullable(states.remove(new Key(session, version)));
    }

    int size() {
        return states.size();
    }

    @Override
    public void close() {
        states.values().forEach(TrainingState::close);
        states.clear();
    }
}
