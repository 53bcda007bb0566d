package dev.espalier.events;

import java.util.UUID;

/**
 * A piece of text a rollout has just generated, on {@link Topics#TOKENS}. Not an event: it is never stored,
 * only forwarded live; the complete text arrives in {@link SessionEvent.RolloutsReady}.
 *
 * @param rolloutIndex which of the N rollouts, or {@link #CONTROL} for the control prompt
 * @param seq          0, 1, 2, … per rollout, so a client can order and deduplicate
 */
public record TokenDelta(UUID sessionId, UUID promptIssuedId, int rolloutIndex, long seq, String textDelta,
                         boolean done) {
    public static final int CONTROL = -1;

    public TokenDelta {
        textDelta = StoredText.clean(textDelta);
    }
}
