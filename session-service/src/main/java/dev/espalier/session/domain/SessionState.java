package dev.espalier.session.domain;

import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.ChoiceMade;
import java.util.Map;
import java.util.UUID;

/**
 * The session aggregate: what deciding a command needs, and nothing else. Built only by folding events
 * ({@link SessionDecider#evolve}); {@link #version} is the position of the last event folded.
 *
 * @param nodes           the root and every node whose step was applied, by id
 * @param head            the node the current policy belongs to
 * @param currentPrompt   the open prompt (null when none is open)
 * @param currentRollouts the answers to {@code currentPrompt} once ready
 * @param pendingChoice   the choice the trainer is working on
 * @param nextPromptIndex the position in the prompt order that will be played next
 */
public record SessionState(UUID sessionId, long version, SessionConfig config, UUID rootNodeId,
                           Map<UUID, Node> nodes, UUID head, SessionPhase phase, PromptIssued currentPrompt,
                           RolloutsReady currentRollouts, ChoiceMade pendingChoice, int nextPromptIndex) {

    /**
     * A node of the timeline that holds a policy: the root (version 0) or a played step.
     *
     * @param redoChild the child HEAD last left by an undo, where redo goes back to
     */
    public record Node(UUID id, UUID parent, long policyVersion, UUID redoChild) {
        Node withRedoChild(UUID child) {
            return new Node(id, parent, policyVersion, child);
        }
    }

    public static SessionState none(UUID sessionId) {
        return new SessionState(sessionId, 0, null, null, Map.of(), null, null, null, null, null, 0);
    }

    public boolean exists() {
        return config != null;
    }

    public Node headNode() {
        return nodes.get(head);
    }

    SessionState at(long newVersion) {
        return new SessionState(sessionId, newVersion, config, rootNodeId, nodes, head, phase, currentPrompt,
                currentRollouts, pendingChoice, nextPromptIndex);
    }

    SessionState withPrompt(PromptIssued prompt, int next) {
        return new SessionState(sessionId, version, config, rootNodeId, nodes, head, SessionPhase.AWAITING_ROLLOUTS,
                prompt, null, null, next);
    }

    SessionState withRollouts(RolloutsReady rollouts) {
        return new SessionState(sessionId, version, config, rootNodeId, nodes, head, SessionPhase.AWAITING_CHOICE,
                currentPrompt, rollouts, null, nextPromptIndex);
    }

    SessionState withChoice(ChoiceMade choice) {
        return new SessionState(sessionId, version, config, rootNodeId, nodes, head, SessionPhase.AWAITING_STEP,
                currentPrompt, currentRollouts, choice, nextPromptIndex);
    }

    /** HEAD at {@code newHead} with no prompt open, in {@code newPhase}. */
    SessionState withHead(Map<UUID, Node> newNodes, UUID newHead, SessionPhase newPhase) {
        return new SessionState(sessionId, version, config, rootNodeId, Map.copyOf(newNodes), newHead, newPhase,
                null, null, null, nextPromptIndex);
    }
}
