package dev.espalier.session.api;

import dev.espalier.events.ChatMessage;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.domain.SessionPhase;
import dev.espalier.session.domain.SessionState;
import java.util.List;
import java.util.UUID;

/**
 * A session as a client shows it: its phase, the open prompt, and the rollouts once they are ready.
 *
 * @param version pass it back as {@code expectedVersion} to make sure nothing changed in between
 */
public record SessionView(UUID sessionId, long version, SessionPhase phase, SessionConfig config, UUID headNodeId,
                          long policyVersion, PromptView currentPrompt, RolloutsView rollouts, boolean canUndo,
                          boolean canRedo) {

    public record PromptView(UUID promptIssuedId, UUID nodeId, int promptIndex, String text,
                             List<ChatMessage> messages) {
    }

    public record RolloutsView(UUID rolloutsReadyId, long policyVersion, List<RolloutView> rollouts,
                               RolloutView control) {
    }

    public record RolloutView(int index, String text, String finishReason, int tokens) {
    }

    static SessionView of(SessionState s) {
        SessionEvent.PromptIssued p = s.currentPrompt();
        SessionEvent.RolloutsReady r = s.currentRollouts();
        SessionState.Node head = s.headNode();
        return new SessionView(s.sessionId(), s.version(), s.phase(), s.config(), s.head(), head.policyVersion(),
                p == null ? null : new PromptView(p.eventId(), p.nodeId(), p.promptIndex(), p.userText(), p.messages()),
                r == null ? null : new RolloutsView(r.eventId(), r.policyVersion(),
                        r.rollouts().stream().map(SessionView::rollout).toList(),
                        r.control() == null ? null : rollout(r.control())),
                head.parent() != null && s.phase() != SessionPhase.AWAITING_STEP,
                head.redoChild() != null && s.phase() != SessionPhase.AWAITING_STEP);
    }

    private static RolloutView rollout(SessionEvent.RolloutsReady.Rollout r) {
        return new RolloutView(r.index(), r.text(), r.finishReason(), r.tokenIds().size());
    }
}
