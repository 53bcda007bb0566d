package dev.espalier.session.projection;

import dev.espalier.events.SessionEvent;
import dev.espalier.session.projection.Timeline.Node;
import dev.espalier.session.projection.Timeline.Status;
import dev.espalier.session.store.StoredEvent;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds one session's {@link Timeline}; events at or before the last position applied are replays, ignored. */
final class TimelineProjection {

    private long position;
    private UUID sessionId;
    private UUID root;
    private UUID head;
    private final Map<UUID, Node> nodes = new LinkedHashMap<>();
    private final Map<UUID, UUID> nodeOfPrompt = new HashMap<>();
    private final Map<UUID, SessionEvent.RolloutsReady> rollouts = new HashMap<>();

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
            case SessionEvent.SessionCreated c -> {
                sessionId = c.sessionId();
                root = c.rootNodeId();
                head = root;
                nodes.put(root, new Node(root, null, Status.ROOT, null, null, false, null, 0L, c.occurredAt()));
            }
            case SessionEvent.PromptIssued p -> {
                nodeOfPrompt.put(p.eventId(), p.nodeId());
                nodes.put(p.nodeId(), new Node(p.nodeId(), p.parentNodeId(), Status.OPEN, p.userText(), null, false,
                        null, null, null));
            }
            case SessionEvent.RolloutsReady r -> rollouts.put(r.eventId(), r);
            case SessionEvent.ChoiceMade c -> {
                Node n = nodes.get(c.nodeId());
                SessionEvent.RolloutsReady ready = rollouts.get(c.rolloutsReadyId());
                String text = c.isNone() || ready == null ? null : ready.rollouts().get(c.chosenIndex()).text();
                nodes.put(n.nodeId(), new Node(n.nodeId(), n.parentNodeId(), n.status(), n.prompt(), c.chosenIndex(),
                        c.isNone(), text, null, null));
            }
            case SessionEvent.StepApplied s -> {
                Node n = nodes.get(s.nodeId());
                if (n != null && n.status() == Status.OPEN) {
                    nodes.put(n.nodeId(), new Node(n.nodeId(), n.parentNodeId(), Status.PLAYED, n.prompt(),
                            n.chosenIndex(), n.none(), n.chosenText(), s.policyVersion(), s.occurredAt()));
                    head = n.nodeId();
                }
            }
            case SessionEvent.HeadMoved h -> {
                nodes.replaceAll((id, n) -> n.status() == Status.OPEN ? new Node(id, n.parentNodeId(),
                        Status.ABANDONED, n.prompt(), n.chosenIndex(), n.none(), n.chosenText(), null, null) : n);
                head = h.toNodeId();
            }
            case SessionEvent.PromptSkipped k -> { }
            case SessionEvent.PromptEdited e -> { }
            case SessionEvent.PolicyRestored r -> { }
        }
        position = stored.sessionPosition();
        return true;
    }

    synchronized Timeline timeline() {
        return new Timeline(sessionId, position, root, head, List.copyOf(nodes.values()));
    }
}
