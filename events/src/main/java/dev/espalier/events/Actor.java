package dev.espalier.events;

import java.util.Objects;

/**
 * Who made a person's move: a signed-in person (their identity provider's subject), the one person of a local stack
 * without a login ({@link #LOCAL}), or a rule playing for the person (the autopilot).
 *
 * @param id the OIDC subject, "local", or the rule as it reads
 */
public record Actor(Kind kind, String id) {

    /** A signed-in person; the one person of a deployment without sign-in; a rule playing for a person. */
    public enum Kind { PERSON, LOCAL, RULE }

    /** The single user of a deployment without sign-in: never equal to a signed-in person, whatever their subject. */
    public static final Actor LOCAL = new Actor(Kind.LOCAL, "local");

    public Actor {
        Objects.requireNonNull(kind, "kind");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("an actor needs an id");
        }
        id = StoredText.clean(id);
    }

    public static Actor person(String subject) {
        return new Actor(Kind.PERSON, subject);
    }
}
