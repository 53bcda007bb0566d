package dev.espalier.session.app;

import dev.espalier.events.Actor;

/**
 * Who sends a request: a person signed in through OpenID Connect, or, where sign-in is off (the local stack), the
 * deployment's one user ({@link Actor#LOCAL}). A signed-in person sees and acts on their own sessions only; sessions
 * created while sign-in was off (owned by the local user, or by nobody before owners were recorded) stay visible to
 * everyone signed in.
 */
public record Caller(Actor actor, boolean signedIn) {

    public static final Caller LOCAL = new Caller(Actor.LOCAL, false);

    public static Caller signedIn(String subject) {
        return new Caller(Actor.person(subject), true);
    }

    /** Whether this caller may see and act on a session created by {@code owner}. */
    public boolean maySee(Actor owner) {
        return !signedIn || owner == null || owner.kind() == Actor.Kind.LOCAL || owner.equals(actor);
    }
}
