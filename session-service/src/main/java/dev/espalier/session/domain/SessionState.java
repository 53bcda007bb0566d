package dev.espalier.session.domain;

import dev.espalier.events.Actor;
import dev.espalier.events.Failure;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.RolloutsReady;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The session aggregate: what deciding a command needs, and nothing else. Built only by folding events
 * ({@link SessionDecider#evolve}); {@link #version} is the position of the last event folded.
 *
 * @param nodes           the root and every node whose step was applied, by id
 * @param head            the node the current policy belongs to
 * @param currentPrompt   the open prompt (null when none is open)
 * @param currentRollouts the answers to {@code currentPrompt} once ready
 * @param openNode        the node a pick on {@code currentPrompt} opens: the prompt's own node, or a fresh one when
 *                        the prompt was reopened after its node had been played
 * @param pendingChoice   the choice the trainer is working on
 * @param nextPromptIndex the position in the prompt order that will be played next on HEAD's path
 * @param openedUnder     per node, the prompt last opened under it and its rollouts once they came: what checking
 *                        that node out puts back in front of the person
 * @param promptNodes     every node a prompt was opened at, played or not
 * @param failure         why the rollouts of the open prompt or the step of the pending choice failed, in the
 *                        failed phases (else null)
 * @param owner           who created the session; null for sessions created before actors were recorded
 */
public record SessionState(UUID sessionId, long version, SessionConfig config, UUID rootNodeId,
                           Map<UUID, Node> nodes, UUID head, SessionPhase phase, PromptIssued currentPrompt,
                           RolloutsReady currentRollouts, UUID openNode, ChoiceMade pendingChoice,
                           int nextPromptIndex, Map<UUID, Opened> openedUnder, Set<UUID> promptNodes,
                           Failure failure, Actor owner) {

    /**
     * A node of the timeline that holds a policy: the root (version 0) or a played step.
     *
     * @param redoChild       the child HEAD last left by an undo, where redo goes back to
     * @param chosenFrom      the prompt and rollouts whose pick made this node (null for the root)
     * @param nextPromptIndex the position in the prompt order played next under this node
     */
    public record Node(UUID id, UUID parent, long policyVersion, UUID redoChild, Opened chosenFrom,
                       int nextPromptIndex) {
        Node withRedoChild(UUID child) {
            return new Node(id, parent, policyVersion, child, chosenFrom, nextPromptIndex);
        }

        Node withNextPromptIndex(int next) {
            return new Node(id, parent, policyVersion, redoChild, chosenFrom, Math.max(nextPromptIndex, next));
        }
    }

    /** A prompt that was opened under a node, with its rollouts once they are ready (else null). */
    public record Opened(PromptIssued prompt, RolloutsReady rollouts) {
    }

    public static SessionState none(UUID sessionId) {
        return new SessionState(sessionId, 0, null, null, Map.of(), null, null, null, null, null, null, 0, Map.of(),
                Set.of(), null, null);
    }

    public boolean exists() {
        return config != null;
    }

    public Node headNode() {
        return nodes.get(head);
    }

    /** Whether a prompt was ever opened at {@code nodeId} (a node that can be named, played or not). */
    public boolean knows(UUID nodeId) {
        return nodes.containsKey(nodeId) || promptNodes.contains(nodeId);
    }

    SessionState at(long newVersion) {
        return new SessionState(sessionId, newVersion, config, rootNodeId, nodes, head, phase, currentPrompt,
                currentRollouts, openNode, pendingChoice, nextPromptIndex, openedUnder, promptNodes, failure, owner);
    }

    /** {@code prompt} is open at {@code node}, with its rollouts if they are given. */
    SessionState withOpen(PromptIssued prompt, RolloutsReady rollouts, UUID node, int next) {
        Map<UUID, Opened> opened = new HashMap<>(openedUnder);
        opened.put(prompt.parentNodeId(), new Opened(prompt, rollouts));
        Set<UUID> known = promptNodes;
        if (!known.contains(node)) {
            known = new HashSet<>(promptNodes);
            known.add(node);
        }
        return new SessionState(sessionId, version, config, rootNodeId, nodes, head,
                rollouts == null ? SessionPhase.AWAITING_ROLLOUTS : SessionPhase.AWAITING_CHOICE, prompt, rollouts,
                node, null, next, Map.copyOf(opened), Set.copyOf(known), null, owner);
    }

    /** The rollouts of a prompt that is no longer the current one came: kept for when its node is checked out. */
    SessionState withLateRollouts(RolloutsReady rollouts) {
        for (Map.Entry<UUID, Opened> e : openedUnder.entrySet()) {
            if (e.getValue().prompt().eventId().equals(rollouts.promptIssuedId()) && e.getValue().rollouts() == null) {
                Map<UUID, Opened> opened = new HashMap<>(openedUnder);
                opened.put(e.getKey(), new Opened(e.getValue().prompt(), rollouts));
                return new SessionState(sessionId, version, config, rootNodeId, nodes, head, phase, currentPrompt,
                        currentRollouts, openNode, pendingChoice, nextPromptIndex, Map.copyOf(opened), promptNodes,
                        failure, owner);
            }
        }
        return this;
    }

    SessionState withChoice(ChoiceMade choice) {
        return new SessionState(sessionId, version, config, rootNodeId, nodes, head, SessionPhase.AWAITING_STEP,
                currentPrompt, currentRollouts, openNode, choice, nextPromptIndex, openedUnder, promptNodes, null, owner);
    }

    /**
     * The open prompt was skipped or edited away: checking out HEAD later must not bring it back, and the prompts
     * passed here stay used up on HEAD's path.
     */
    SessionState withoutOpenPrompt() {
        Map<UUID, Opened> opened = new HashMap<>(openedUnder);
        opened.remove(head);
        Map<UUID, Node> passed = new HashMap<>(nodes);
        passed.put(head, headNode().withNextPromptIndex(nextPromptIndex));
        return new SessionState(sessionId, version, config, rootNodeId, Map.copyOf(passed), head,
                SessionPhase.OUT_OF_PROMPTS, null, null, null, null, nextPromptIndex, Map.copyOf(opened), promptNodes,
                null, owner);
    }

    /** HEAD at {@code newHead} with no prompt open, in {@code newPhase}. */
    SessionState withHead(Map<UUID, Node> newNodes, UUID newHead, SessionPhase newPhase, int next) {
        return new SessionState(sessionId, version, config, rootNodeId, Map.copyOf(newNodes), newHead, newPhase,
                null, null, null, null, next, openedUnder, promptNodes, null, owner);
    }

    SessionState inPhase(SessionPhase newPhase) {
        return new SessionState(sessionId, version, config, rootNodeId, nodes, head, newPhase, currentPrompt,
                currentRollouts, openNode, pendingChoice, nextPromptIndex, openedUnder, promptNodes, null, owner);
    }

    /** The open prompt's rollouts or the pending choice's step failed: both stay, for a retry. */
    SessionState failed(SessionPhase failedPhase, Failure why) {
        return new SessionState(sessionId, version, config, rootNodeId, nodes, head, failedPhase, currentPrompt,
                currentRollouts, openNode, pendingChoice, nextPromptIndex, openedUnder, promptNodes, why, owner);
    }
}
