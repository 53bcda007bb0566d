package dev.espalier.session.projection;

import dev.espalier.events.Actor;
import java.time.Instant;
import java.util.UUID;

/**
 * A line of the session list: which sessions are there, and how far has each got?
 *
 * @param version         the position of the last event applied
 * @param choicesMade     choices made, "none" included, over all branches
 * @param stepsApplied    training steps applied, over all branches
 * @param policyVersion   the policy version HEAD is at
 * @param currentPrompt   the user text of the open prompt, or null
 * @param owner           who created it (null before actors were recorded)
 */
public record SessionSummary(UUID sessionId, String model, String promptSource, Instant createdAt,
                             Instant updatedAt, long version, int choicesMade, int stepsApplied, long policyVersion,
                             String currentPrompt, Actor owner) {
}
