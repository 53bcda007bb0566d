package dev.espalier.session.domain;

import java.util.Optional;

/** A session's prompts in the order they are played; loaded from the prompt source before deciding. */
@FunctionalInterface
public interface PromptSequence {
    /** The user text at {@code position} (0-based), or empty when the source has no more. */
    Optional<String> at(int position);
}
