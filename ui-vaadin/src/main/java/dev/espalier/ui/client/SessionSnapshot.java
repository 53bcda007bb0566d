package dev.espalier.ui.client;

import dev.espalier.events.ChatMessage;
import dev.espalier.events.Failure;
import dev.espalier.events.SessionConfig;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A session as session-service's {@code GET /sessions/{id}} shows it (its {@code SessionView}).
 *
 * @param phase         AWAITING_ROLLOUTS, AWAITING_CHOICE, AWAITING_STEP, AWAITING_POLICY, ROLLOUTS_FAILED, STEP_FAILED
 *                      or OUT_OF_PROMPTS
 * @param headStep      the step that made HEAD's policy; null at the root
 * @param control       the control prompt's answer written with HEAD's policy version; null until there is one
 * @param policyRebuild the trainer is still rebuilding HEAD's policy after a move; null once it is done
 * @param failure       why the rollouts or the step failed, in the failed phases; else null
 */
public record SessionSnapshot(UUID sessionId, long version, String phase, SessionConfig config, UUID headNodeId,
                              long policyVersion, Prompt currentPrompt, Rollouts rollouts, boolean canUndo,
                              boolean canRedo, Step headStep, Rollout control, Rebuild policyRebuild,
                              Failure failure) {

    public static final String AWAITING_ROLLOUTS = "AWAITING_ROLLOUTS";
    public static final String AWAITING_CHOICE = "AWAITING_CHOICE";
    public static final String AWAITING_STEP = "AWAITING_STEP";
    public static final String AWAITING_POLICY = "AWAITING_POLICY";
    public static final String OUT_OF_PROMPTS = "OUT_OF_PROMPTS";
    public static final String ROLLOUTS_FAILED = "ROLLOUTS_FAILED";
    public static final String STEP_FAILED = "STEP_FAILED";

    public boolean failed() {
        return failure != null;
    }

    public record Prompt(UUID promptIssuedId, UUID nodeId, int promptIndex, String text, List<ChatMessage> messages) {
    }

    public record Rollouts(UUID rolloutsReadyId, long policyVersion, List<Rollout> rollouts, Rollout control) {
    }

    public record Rollout(int index, String text, String finishReason, int tokens) {
    }

    public record Step(long policyVersion, double loss, double policyTerm, double klTerm, double gradNorm,
                       double meanAbsDrift, long durationMillis) {
    }

    /**
     * @param fromCheckpointVersion null = from the base model
     * @param movedAt               when HEAD moved
     * @param estimatedMillis       what the steps being replayed took when they were first applied
     */
    public record Rebuild(UUID headMovedId, UUID nodeId, int stepsToReplay, Long fromCheckpointVersion,
                          Instant movedAt, long estimatedMillis) {
    }
}
