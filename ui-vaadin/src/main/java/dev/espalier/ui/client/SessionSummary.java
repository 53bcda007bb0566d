package dev.espalier.ui.client;

import java.time.Instant;
import java.util.UUID;

/** A line of session-service's {@code GET /sessions}: the sessions one can resume or clone. */
public record SessionSummary(UUID sessionId, String model, String promptSource, Instant createdAt,
                             Instant updatedAt, long version, int choicesMade, int stepsApplied, long policyVersion,
                             String currentPrompt) {
}
