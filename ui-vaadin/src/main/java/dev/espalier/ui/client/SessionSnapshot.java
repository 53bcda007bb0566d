package dev.espalier.ui.client;

import dev.espalier.events.ChatMessage;
import dev.espalier.events.SessionConfig;
import java.util.List;
import java.util.UUID;

/**
 * A session as session-service's {@code GET /sessions/{id}} shows it (its {@code SessionView}).
 *
 * @param phase AWAITING_ROLLOUTS, AWAITING_CHOICE, AWAITING_STEP, AWAITING_POLICY or OUT_OF_PROMPTS
 */
public record SessionSnapshot(UUID sessionId, long version, String phase, SessionConfig config, UUID headNodeId,
                              long policyVersion, Prompt currentPrompt, Rollouts rollouts, boolean canUndo,
                              boolean canRedo) {

    public static final String AWAITING_ROLLOUTS = "AWAITING_ROLLOUTS";
    public static final String AWAITING_CHOICE = "AWAITING_CHOICE";
    public static final String AWAITING_STEP = "AWAITING_STEP";
    public static final String AWAITING_POLICY = "AWAITING_POLICY";
    public static final String OUT_OF_PROMPTS = "OUT_OF_PROMPTS";

    public record Prompt(UUID promptIssuedId, UUID nodeId, int promptIndex, String text, List<ChatMessage> messages) {
    }

    public record Rollouts(UUID rolloutsReadyId, long policyVersion, List<Rollout> rollouts, Rollout control) {
    }

    public record Rollout(int index, String text, String finishReason, int tokens) {
    }
}
