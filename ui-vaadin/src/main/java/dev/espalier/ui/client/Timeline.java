package dev.espalier.ui.client;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** session-service's {@code GET /sessions/{id}/timeline}: every node of the session's tree, root first. */
public record Timeline(UUID sessionId, long version, UUID rootNodeId, UUID head, List<Node> nodes) {

    /** @param status ROOT, OPEN, PLAYED or ABANDONED */
    public record Node(UUID nodeId, UUID parentNodeId, String status, String prompt, Integer chosenIndex,
                       boolean none, String chosenText, Long policyVersion, Instant playedAt) {
    }

    /** Whether any node has more than one child: then the timeline is shown as a tree. */
    public boolean branches() {
        return nodes.stream().map(Node::parentNodeId).filter(p -> p != null).distinct().count()
                < nodes.stream().filter(n -> n.parentNodeId() != null).count();
    }

    public List<Node> childrenOf(UUID nodeId) {
        return nodes.stream().filter(n -> nodeId.equals(n.parentNodeId())).toList();
    }
}
