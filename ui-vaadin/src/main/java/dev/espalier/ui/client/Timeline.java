package dev.espalier.ui.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.UUID;

/** session-service's {@code GET /sessions/{id}/timeline}: every node of the session's tree, root first. */
public record Timeline(UUID sessionId, long version, UUID rootNodeId, UUID head, List<Node> nodes) {

    /**
     * @param status         ROOT, OPEN, PLAYED or ABANDONED
     * @param promptIssuedId the prompt played at this node; siblings picked from the same prompt share it
     * @param passed         the prompts skipped or edited away at this node before {@code prompt}
     */
    public record Node(UUID nodeId, UUID parentNodeId, String status, UUID promptIssuedId, String prompt,
                       Integer chosenIndex, boolean none, String chosenText, Long policyVersion, Instant playedAt,
                       List<PassedPrompt> passed) {
        public Node {
            passed = passed == null ? List.of() : List.copyOf(passed);
        }
    }

    /** A prompt not answered at a node: skipped, or rewritten ({@code edited}) into the next one. */
    public record PassedPrompt(String prompt, boolean edited) {
    }

    /** The nodes from the root to HEAD. */
    public List<Node> pathToHead() {
        Map<UUID, Node> byId = nodes.stream().collect(Collectors.toMap(Node::nodeId, n -> n));
        List<Node> path = new ArrayList<>();
        for (Node n = byId.get(head); n != null; n = n.parentNodeId() == null ? null : byId.get(n.parentNodeId())) {
            path.addFirst(n);
        }
        return path;
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
