package dev.espalier.rollout.policy;

import dev.espalier.policy.model.ProjectionDelta;
import java.util.UUID;

/** The policy a session's prompt is answered with: the base model plus the adapter of the given version. */
@FunctionalInterface
public interface PolicySource {

    ProjectionDelta policy(UUID sessionId, long policyVersion);
}
