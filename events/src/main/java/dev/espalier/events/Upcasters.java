package dev.espalier.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Turns stored JSON of an older schema version into the next version's shape, one version at a time, so an event
 * written years ago still reads into today's record. Each entry is keyed by the old stored name and yields JSON
 * of the next version; its {@code type} and {@code schemaVersion} are rewritten by {@link EventSerde}.
 */
final class Upcasters {

    /** stored name → (next version's stored name, transformation of the payload). */
    record Step(String to, UnaryOperator<ObjectNode> transform) {
    }

    /** Events stored before the person's moves named their actor: who it was is not known. */
    private static final UnaryOperator<ObjectNode> NO_ACTOR = json -> {
        json.putNull("actor");
        return json;
    };

    private static final Map<String, Step> STEPS = Map.of(
            "session-created.v1", new Step("session-created.v2", NO_ACTOR),
            "choice-made.v2", new Step("choice-made.v3", NO_ACTOR),
            "prompt-skipped.v1", new Step("prompt-skipped.v2", NO_ACTOR),
            "prompt-edited.v1", new Step("prompt-edited.v2", NO_ACTOR),
            "head-moved.v1", new Step("head-moved.v2", NO_ACTOR),
            // choice-made.v1 wrote "none" as choice = -1 and had no comment; v2 has chosenIndex (null = none) and
            // the person's optional comment, which v1 events never had.
            "choice-made.v1", new Step("choice-made.v2", json -> {
                int choice = json.remove("choice").asInt();
                if (choice < 0) {
                    json.putNull("chosenIndex");
                } else {
                    json.put("chosenIndex", choice);
                }
                json.putNull("comment");
                return json;
            }));

    private Upcasters() {
    }

    static Step from(String storedName) {
        return STEPS.get(storedName);
    }
}
