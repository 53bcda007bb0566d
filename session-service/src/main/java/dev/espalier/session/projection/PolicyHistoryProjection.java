package dev.espalier.session.projection;

import dev.espalier.events.SessionEvent;
import dev.espalier.session.store.StoredEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Builds one session's {@link PolicyHistory}; events at or before the last position applied are replays, ignored. */
final class PolicyHistoryProjection {

    private long position;
    private final Map<UUID, SessionEvent.StepApplied> steps = new HashMap<>();
    private final Map<Long, SessionEvent.RolloutsReady.Rollout> controls = new HashMap<>();
    private SessionEvent.HeadMoved lastMove;
    private SessionEvent.PolicyRestored lastRestore;

    synchronized long position() {
        return position;
    }

    /** @return false when {@code stored} is not the next event (a gap: the caller catches up from the store) */
    synchronized boolean apply(StoredEvent stored) {
        if (stored.sessionPosition() <= position) {
            return true;
        }
        if (stored.sessionPosition() != position + 1) {
            return false;
        }
        switch (stored.event()) {
            case SessionEvent.StepApplied s -> steps.putIfAbsent(s.nodeId(), s);
            case SessionEvent.RolloutsReady r when r.control() != null ->
                    controls.putIfAbsent(r.policyVersion(), r.control());
            case SessionEvent.HeadMoved h -> lastMove = h;
            case SessionEvent.PolicyRestored p -> lastRestore = p;
            default -> { }
        }
        position = stored.sessionPosition();
        return true;
    }

    synchronized PolicyHistory history() {
        boolean restored = lastMove == null
                || (lastRestore != null && lastRestore.causationId() != null
                && lastRestore.causationId().equals(lastMove.eventId()));
        return new PolicyHistory(Map.copyOf(steps), Map.copyOf(controls), restored ? null : lastMove);
    }
}
