package dev.espalier.rollout.generation;

import dev.espalier.events.SessionEvent.PromptIssued;
import java.time.Instant;

/**
 * A prompt to answer and how to settle it: {@code done} once its RolloutsReady is acknowledged by Kafka (then
 * its offset may be committed), {@code failed} when it cannot be answered.
 */
public record RolloutJob(PromptIssued prompt, Instant receivedAt, Settlement settlement) {

    public interface Settlement {
        void done();

        void failed(Throwable cause);
    }
}
