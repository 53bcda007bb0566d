package dev.espalier.session.projection;

import dev.espalier.events.SessionEvent;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds one session's {@link PolicyHistory}. Every view of the session reads it, so it hands out read-only views of
 * its maps rather than copies (they only ever gain entries).
 */
final class PolicyHistoryProjection extends OrderedProjection {

    private final Map<UUID, SessionEvent.StepApplied> steps = new ConcurrentHashMap<>();
    private final Map<Long, SessionEvent.RolloutsReady.Rollout> controls = new ConcurrentHashMap<>();
    private SessionEvent.HeadMoved lastMove;
    private SessionEvent.PolicyRestored lastRestore;

    @Override
    void fold(SessionEvent event) {
        switch (event) {
            case SessionEvent.StepApplied s -> steps.putIfAbsent(s.nodeId(), s);
            case SessionEvent.RolloutsReady r when r.control() != null ->
                    controls.putIfAbsent(r.policyVersion(), r.control());
            case SessionEvent.HeadMoved h -> lastMove = h;
            case SessionEvent.PolicyRestored p -> lastRestore = p;
            default -> { }
        }
    }

    synchronized PolicyHistory history() {
        boolean restored = lastMove == null
                || (lastRestore != null && lastMove.eventId().equals(lastRestore.causationId()));
        return new PolicyHistory(Collections.unmodifiableMap(steps), Collections.unmodifiableMap(controls),
                restored ? null : lastMove);
    }
}
