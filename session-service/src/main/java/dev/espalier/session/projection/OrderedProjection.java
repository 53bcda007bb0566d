package dev.espalier.session.projection;

import dev.espalier.events.SessionEvent;
import dev.espalier.session.store.StoredEvent;

/**
 * One session's read model, folded strictly in store order: an event at or before the last position applied is a
 * replay and ignored; a gap makes {@link #apply} answer false, and the caller catches up from the store.
 */
abstract class OrderedProjection {

    private long position;

    synchronized long position() {
        return position;
    }

    /** @return false when {@code stored} is not the next event */
    synchronized boolean apply(StoredEvent stored) {
        if (stored.sessionPosition() <= position) {
            return true;
        }
        if (stored.sessionPosition() != position + 1) {
            return false;
        }
        fold(stored.event());
        position = stored.sessionPosition();
        return true;
    }

    /** Folds the next event; runs holding this projection's lock. */
    abstract void fold(SessionEvent event);
}
