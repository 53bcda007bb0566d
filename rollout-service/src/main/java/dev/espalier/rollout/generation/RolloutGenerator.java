package dev.espalier.rollout.generation;

import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.TokenDelta;
import java.util.function.Consumer;

/** Answers one prompt: the N rollouts and the control output, streaming deltas while it writes. */
@FunctionalInterface
public interface RolloutGenerator {

    RolloutsReady generate(PromptIssued prompt, long queuedMillis, Consumer<TokenDelta> deltas);
}
