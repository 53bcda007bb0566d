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

    /** Pick rollout {@code chosenIndex} of the current prompt, or none of them when it is null. */
    record MakeChoice(Long expectedVersion, Integer chosenIndex, String comment) implements SessionCommand {
    }

    record SkipPrompt(Long expectedVersion) implements SessionCommand {
    }

    /** Replace the current prompt's user text (or, with no prompt open, play this text next). */
    record EditPrompt(Long expectedVersion, String text) implements SessionCommand {
    }

    record Undo(Long expectedVersion) implements SessionCommand {
    }

    record Redo(Long expectedVersion) implements SessionCommand {
    }

    record Checkout(Long expectedVersion, UUID nodeId) implements SessionCommand {
    }
}
