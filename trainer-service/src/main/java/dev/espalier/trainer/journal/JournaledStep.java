package dev.espalier.trainer.journal;

import dev.espalier.policy.train.StepCase;
import dev.espalier.policy.train.StepSettings;
import java.util.UUID;

/**
 * One applied step as journaled: enough to apply it again bit for bit.
 *
 * @param policyVersion the version the step produced
 * @param parentVersion the version it was applied to
 * @param checkpointed  whether a full checkpoint of {@code policyVersion} is stored
 */
public record JournaledStep(UUID choiceMadeId, UUID sessionId, UUID nodeId, long policyVersion, long parentVersion,
                            StepCase stepCase, StepSettings settings, boolean checkpointed) {
}
