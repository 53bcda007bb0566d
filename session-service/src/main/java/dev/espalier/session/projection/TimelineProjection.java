package dev.espalier.session.projection;

import dev.espalier.events.SessionEvent;
import dev.espalier.session.projection.Timeline.Node;
import dev.espalier.session.projection.Timeline.PassedPrompt;
import dev.espalier.session.projection.Timeline.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** Builds one session's {@link Timeline}. */
final class TimelineProjection extends OrderedProjection {

    private UUID sessionId;
    private UUID root;
    private UUID head;
    private final Map<UUID, Node> nodes = new LinkedHashMap<>();
    private final Map<UUID, SessionEvent.PromptIssued> prompts = new HashMap<>();
    private final Map<UUID, SessionEvent.RolloutsReady> rollouts = new HashMap<>();
    /** Nodes a reopened prompt opened: left without a pick they are dropped, their prompt is shown elsewhere. */
    private final Set<UUID> reopenedNodes = new HashSet<>();

    @Override
    void fold(SessionEvent event) {
        switch (event) {
            case SessionEvent.SessionCreated c -> {
                sessionId = c.sessionId();
                root = c.rootNodeId();
                head = root;
                nodes.put(root, new Node(root, null, Status.ROOT, null, null, null, false, null, 0L, c.occurredAt(),
                        List.of()));
            }
            case SessionEvent.PromptIssued p -> {
                prompts.put(p.eventId(), p);
                reopenedNodes.remove(p.nodeId()); // a prompt of its own now: kept like any other node
                open(p.nodeId(), p.parentNodeId(), p);
            }
            case SessionEvent.PromptReopened r -> {
                if (!nodes.containsKey(r.nodeId())) {
                    reopenedNodes.add(r.nodeId());
                }
                open(r.nodeId(), r.parentNodeId(), prompts.get(r.promptIssuedId()));
            }
            case SessionEvent.RolloutsReady r -> rollouts.put(r.eventId(), r);
            case SessionEvent.ChoiceMade c -> {
                SessionEvent.RolloutsReady ready = rollouts.get(c.rolloutsReadyId());
                String text = c.isNone() || ready == null ? null : ready.rollouts().get(c.chosenIndex()).text();
                update(c.nodeId(), n -> new Node(n.nodeId(), n.parentNodeId(), n.status(), n.promptIssuedId(),
                        n.prompt(), c.chosenIndex(), c.isNone(), text, null, null, n.passed()));
            }
            case SessionEvent.StepApplied s -> {
                Node n = nodes.get(s.nodeId());
                if (n != null && n.status() == Status.OPEN) {
                    nodes.put(n.nodeId(), new Node(n.nodeId(), n.parentNodeId(), Status.PLAYED, n.promptIssuedId(),
                            n.prompt(), n.chosenIndex(), n.none(), n.chosenText(), s.policyVersion(), s.occurredAt(),
                            n.passed()));
                    head = n.nodeId();
                }
            }
            case SessionEvent.HeadMoved h -> {
                nodes.keySet().removeIf(id -> reopenedNodes.contains(id) && nodes.get(id).status() == Status.OPEN
                        && nodes.get(id).chosenIndex() == null && !nodes.get(id).none());
                nodes.replaceAll((id, n) -> n.status() == Status.OPEN ? new Node(id, n.parentNodeId(),
                        Status.ABANDONED, n.promptIssuedId(), n.prompt(), n.chosenIndex(), n.none(), n.chosenText(),
                        null, null, n.passed()) : n);
                head = h.toNodeId();
            }
            case SessionEvent.PromptSkipped k -> pass(k.nodeId(), false);
            case SessionEvent.PromptEdited e -> pass(e.nodeId(), true);
            case SessionEvent.PolicyRestored r -> { }
            case SessionEvent.RolloutsFailed f -> { }
            case SessionEvent.StepFailed f -> { }
            case SessionEvent.StepRetried r -> { }
        }
    }

    /** A prompt is played at {@code nodeId}: a new node, or a node left open before that gets its prompt again. */
    private void open(UUID nodeId, UUID parent, SessionEvent.PromptIssued prompt) {
        // One node is open at a time: one left open by a pick whose step failed and was passed is abandoned.
        nodes.replaceAll((id, n) -> n.status() == Status.OPEN && !id.equals(nodeId) ? new Node(id, n.parentNodeId(),
                Status.ABANDONED, n.promptIssuedId(), n.prompt(), n.chosenIndex(), n.none(), n.chosenText(), null,
                null, n.passed()) : n);
        Node before = nodes.get(nodeId);
        List<PassedPrompt> passed = before == null ? List.of() : before.passed();
        nodes.put(nodeId, new Node(nodeId, parent, Status.OPEN, prompt.eventId(), prompt.userText(), null, false, null,
                null, null, passed));
    }

    private void pass(UUID nodeId, boolean edited) {
        update(nodeId, n -> {
            List<PassedPrompt> passed = new ArrayList<>(n.passed());
            passed.add(new PassedPrompt(n.prompt(), edited));
            return new Node(n.nodeId(), n.parentNodeId(), n.status(), n.promptIssuedId(), n.prompt(), n.chosenIndex(),
                    n.none(), n.chosenText(), n.policyVersion(), n.playedAt(), passed);
        });
    }

    private void update(UUID nodeId, UnaryOperator<Node> change) {
        Node n = nodes.get(nodeId);
        if (n != null) {
            nodes.put(nodeId, change.apply(n));
        }
    }

    synchronized Timeline timeline() {
        return new Timeline(sessionId, position(), root, head, List.copyOf(nodes.values()));
    }
}
