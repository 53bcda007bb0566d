package dev.espalier.session.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.espalier.session.domain.SessionRejection;
import java.util.UUID;

/** Bodies of the session commands; {@code expectedVersion} is optional everywhere (see {@link SessionView}). */
final class Requests {

    private Requests() {
    }

    /**
     * {@code choice}: a rollout index, or the string "none"; {@code rolloutsReadyId}, optional: the rollouts picked
     * from, refused with 409 when they are no longer the open ones.
     */
    record Choice(Long expectedVersion, JsonNode choice, String comment, UUID rolloutsReadyId) {
        Integer chosenIndex() {
            if (choice != null && choice.isTextual() && choice.asText().equals("none")) {
                return null;
            }
            if (choice != null && choice.isIntegralNumber() && choice.canConvertToInt()) {
                return choice.intValue();
            }
            throw new SessionRejection.InvalidArgument("choice", "must be a rollout index or \"none\", was "
                    + (choice == null ? "missing" : choice.toString()));
        }
    }

    record Version(Long expectedVersion) {
    }

    record EditPrompt(Long expectedVersion, String text) {
    }

    record Checkout(Long expectedVersion, UUID nodeId) {
    }
}
