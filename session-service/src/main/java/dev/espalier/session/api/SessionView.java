package dev.espalier.session.api;

import dev.espalier.events.ChatMessage;
import dev.espalier.events.Failure;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.domain.SessionPhase;
import dev.espalier.session.domain.SessionState;
import dev.espalier.session.projection.PolicyHistory;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A session as a client shows it: its phase, the open prompt, the rollouts once they are ready, and HEAD's policy.
 *
 * @param version       pass it back as {@code expectedVersion} to make sure nothing changed in between
 * @param headStep      the step that made HEAD's policy; null at the root
 * @param control       the control prompt's answer written with HEAD's policy version, once there is one
 * @param policyRebuild the trainer is still rebuilding HEAD's policy after a move (a pick waits for it); else null
 * @param failure       why the rollouts or the step failed, in the failed phases; else null
 */
public record SessionView(UUID sessionId, long version, SessionPhase phase, SessionConfig config, UUID headNodeId,
                          long policyVersion, PromptView currentPrompt, RolloutsView rollouts, boolean canUndo,
                          boolean canRedo, StepView headStep, RolloutView control, RebuildView policyRebuild,
                          Failure failure) {

    /** @param meanAbsDrift the mean over the rollouts of |drift| */
    public record StepView(long policyVersion, double loss, double policyTerm, double klTerm, double gradNorm,
                           double meanAbsDrift, long durationMillis) {
    }

    /**
     * At most: a state the trainer still holds in memory needs no replay at all.
     *
     * @param stepsToReplay         journaled steps the trainer re-applies after loading the checkpoint
     * @param fromCheckpointVersion the version of the full checkpoint it starts from; null = from the base model
     * @param movedAt               when HEAD moved
     * @param estimatedMillis       what those steps took when they were first applied: the replay takes about as long
     */
    public record RebuildView(UUID headMovedId, UUID nodeId, int stepsToReplay, Long fromCheckpointVersion,
                              Instant movedAt, long estimatedMillis) {
    }

    public record PromptView(UUID promptIssuedId, UUID nodeId, int promptIndex, String text,
                             List<ChatMessage> messages) {
    }

    public record RolloutsView(UUID rolloutsReadyId, long policyVersion, List<RolloutView> rollouts,
                               RolloutView control) {
    }

    public record RolloutView(int index, String text, String finishReason, int tokens) {
    }

    static SessionView of(SessionState s, PolicyHistory history) {
        SessionEvent.PromptIssued p = s.currentPrompt();
        SessionEvent.RolloutsReady r = s.currentRollouts();
        SessionState.Node head = s.headNode();
        return new SessionView(s.sessionId(), s.version(), s.phase(), s.config(), s.head(), head.policyVersion(),
                p == null ? null : new PromptView(p.eventId(), s.openNode(), p.promptIndex(), p.userText(), p.messages()),
                r == null ? null : new RolloutsView(r.eventId(), r.policyVersion(),
                        r.rollouts().stream().map(SessionView::rollout).toList(),
                        r.control() == null ? null : rollout(r.control())),
                (head.parent() != null && s.phase() != SessionPhase.AWAITING_STEP)
                        || s.phase() == SessionPhase.STEP_FAILED,
                head.redoChild() != null && s.phase() != SessionPhase.AWAITING_STEP,
                step(history.steps().get(s.head())), control(history, head.policyVersion()), rebuild(s, history),
                s.failure());
    }

    private static StepView step(SessionEvent.StepApplied a) {
        if (a == null) {
            return null;
        }
        var m = a.metrics();
        return new StepView(a.policyVersion(), m.loss(), m.policyTerm(), m.klTerm(), m.gradNorm(),
                m.drift().stream().mapToDouble(Math::abs).average().orElse(0), a.durationMillis());
    }

    private static RolloutView control(PolicyHistory history, long policyVersion) {
        SessionEvent.RolloutsReady.Rollout c = history.controls().get(policyVersion);
        return c == null ? null : rollout(c);
    }

    /** What the trainer replays to rebuild HEAD: the steps back to the nearest full checkpoint on HEAD's path. */
    private static RebuildView rebuild(SessionState s, PolicyHistory history) {
        SessionEvent.HeadMoved move = history.pendingMove();
        if (move == null || !move.toNodeId().equals(s.head())) {
            return null;
        }
        int steps = 0;
        long millis = 0;
        Long from = null;
        for (SessionState.Node n = s.headNode(); n.parent() != null; n = s.nodes().get(n.parent())) {
            SessionEvent.StepApplied a = history.steps().get(n.id());
            if (a != null && a.fullCheckpoint()) {
                from = a.policyVersion();
                break;
            }
            steps++;
            millis += a == null ? 0 : a.durationMillis();
        }
        return new RebuildView(move.eventId(), move.toNodeId(), steps, from, move.occurredAt(), millis);
    }

    private static RolloutView rollout(SessionEvent.RolloutsReady.Rollout r) {
        return new RolloutView(r.index(), r.text(), r.finishReason(), r.tokenIds().size());
    }
}
