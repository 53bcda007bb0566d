package dev.espalier.policy.generate;

/** A prompt that leaves the model no room to generate: no retry helps, the prompt must change. */
public final class PromptTooLongException extends IllegalArgumentException {

    public PromptTooLongException(int promptTokens, int context) {
        super("prompt has " + promptTokens + " tokens; the model's context (max_position_embeddings) is " + context
                + ", which leaves no room to generate");
    }
}
