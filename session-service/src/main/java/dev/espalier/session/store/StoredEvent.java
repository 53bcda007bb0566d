package dev.espalier.session.store;

import dev.espalier.events.SessionEvent;
import java.time.Instant;

/**
 * An event as the store holds it.
 *
 * @param globalPosition  its place among all events of all sessions
 * @param sessionPosition its place in its session: 1, 2, 3, … without gaps; also the session's version after it
 */
public record StoredEvent(long globalPosition, long sessionPosition, Instant recordedAt, SessionEvent event) {
}
