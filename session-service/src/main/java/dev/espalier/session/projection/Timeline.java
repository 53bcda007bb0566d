package dev.espalier.session.projection;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The tree of a session's steps: what was played, where are the branches, where is HEAD?
 *
 * @param version the position of the last event applied
 * @param nodes   every node in the order it was opened; the root first
 */
public record Timeline(UUID sessionId, long version, UUID rootNodeId, UUID head, List<Node> nodes) {

    public enum Status {
        /** The start of the session: the base model, policy version 0. */
        ROOT,
        /** A prompt is being played at this node. */
        OPEN,
        /** The step was applied: the node holds a policy version. */
        PLAYED,
        /** HEAD left while the prompt was still open. */
        ABANDONED
    }

    /**
     * @param prompt        the user text last issued at this node
     * @param chosenIndex   the rollout picked, or null (see {@code none})
     * @param none          whether the person chose "none of them"
     * @param chosenText    the text of the picked rollout
     * @param policyVersion the policy version the node holds once PLAYED (0 for the root), else null
     */
    public record Node(UUID nodeId, UUID parentNodeId, Status status, String prompt, Integer chosenIndex,
                       boolean none, String chosenText, Long policyVersion, Instant playedAt) {
    }
}
