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
     * @param promptIssuedId the prompt last played at this node; siblings picked from the same prompt share it
     * @param prompt         the user text last issued at this node
     * @param chosenIndex    the rollout picked, or null (see {@code none})
     * @param none           whether the person chose "none of them"
     * @param chosenText     the text of the picked rollout
     * @param policyVersion  the policy version the node holds once PLAYED (0 for the root), else null
     * @param passed         the prompts skipped or edited away at this node before {@code prompt}, in order
     */
    public record Node(UUID nodeId, UUID parentNodeId, Status status, UUID promptIssuedId, String prompt,
                       Integer chosenIndex, boolean none, String chosenText, Long policyVersion, Instant playedAt,
                       List<PassedPrompt> passed) {
        public Node {
            passed = List.copyOf(passed);
        }
    }

    /** A prompt the person did not answer at a node: skipped it, or rewrote it into the next one. */
    public record PassedPrompt(String prompt, boolean edited) {
    }
}
