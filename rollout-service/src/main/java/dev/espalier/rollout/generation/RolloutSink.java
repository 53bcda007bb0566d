package dev.espalier.rollout.generation;

import dev.espalier.events.SessionEvent.RolloutsFailed;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.TokenDelta;

/** Where generation output goes: token deltas as they come (best effort), RolloutsReady once (acknowledged). */
public interface RolloutSink {

    void delta(TokenDelta delta);

    /** Returns once the event is durably written; throws if it is not. */
    void ready(RolloutsReady ready);

    /** Like {@link #ready}, for a prompt that could not be answered. */
    void failed(RolloutsFailed failed);
}
