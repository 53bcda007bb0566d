package dev.espalier.session.projection;

import dev.espalier.events.SessionEvent;
import java.util.Map;
import java.util.UUID;

/**
 * What the log says about a session's policies, for the page to follow HEAD: the step that made each node, the
 * control answer of each policy version, and the move whose policy the trainer has not restored yet.
 *
 * @param steps       the StepApplied of each played node
 * @param controls    the control prompt's answer written with each policy version
 * @param pendingMove the last HeadMoved while its PolicyRestored has not come; null when the trainer caught up
 */
public record PolicyHistory(Map<UUID, SessionEvent.StepApplied> steps,
                            Map<Long, SessionEvent.RolloutsReady.Rollout> controls,
                            SessionEvent.HeadMoved pendingMove) {

    public static final PolicyHistory EMPTY = new PolicyHistory(Map.of(), Map.of(), null);
}
