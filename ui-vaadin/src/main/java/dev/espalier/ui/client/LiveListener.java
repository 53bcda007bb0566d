package dev.espalier.ui.client;

import dev.espalier.events.SessionEvent;
import dev.espalier.events.TokenDelta;

/** What a live subscription to {@code GET /sessions/{id}/stream} delivers, on the subscription's own thread. */
public interface LiveListener {

    /** Once, first: the session as it is when the stream opens. */
    void state(SessionSnapshot state);

    /** Each event session-service stores for the session from then on. */
    void event(SessionEvent event);

    /** Each piece of rollout text as it is generated. */
    void token(TokenDelta delta);

    /** The stream ended; {@code failure} is null when it was closed on purpose. */
    void ended(Throwable failure);
}
