package dev.espalier.session.domain;

import dev.espalier.events.SessionConfig;
import java.util.UUID;

/**
 * What a person asks of a session. Every command but {@link CreateSession} may carry the session version the person
 * saw ({@code expectedVersion}); if the session has moved on since, the command is refused with a conflict.
 */
public sealed interface SessionCommand {

    /** The version the command was decided against, or null to take whatever the session is at. */
    Long expectedVersion();

    record CreateSession(SessionConfig config) implements SessionCommand {
        @Override
        public Long expectedVersion() {
            return 0L;
        }
    }

    /**
     * Pick rollout {@code chosenIndex} of the current prompt, or none of them when it is null.
     *
     * @param rolloutsReadyId the rollouts the person picked from, when the client says: a pick made on rollouts that
     *                        are no longer open (another tab moved HEAD) is refused instead of applied to others
     */
    record MakeChoice(Long expectedVersion, Integer chosenIndex, String comment, UUID rolloutsReadyId)
            implements SessionCommand {
        public MakeChoice(Long expectedVersion, Integer chosenIndex, String comment) {
            this(expectedVersion, chosenIndex, comment, null);
        }
    }

    record SkipPrompt(Long expectedVersion) implements SessionCommand {
    }

    /** Replace the current prompt's user text (or, with no prompt open, play this text next). */
    record EditPrompt(Long expectedVersion, String text) implements SessionCommand {
    }

    /** Try the failed generation of the open prompt, or the failed step of the pending choice, again. */
    record Retry(Long expectedVersion) implements SessionCommand {
    }

    record Undo(Long expectedVersion) implements SessionCommand {
    }

    record Redo(Long expectedVersion) implements SessionCommand {
    }

    record Checkout(Long expectedVersion, UUID nodeId) implements SessionCommand {
    }
}
