package dev.espalier.policy.generate;

/** Why a completion ended. */
public enum FinishReason {
    /** An EOS id of generation_config.json was sampled (it is the completion's last token). */
    STOP,
    /** max new tokens, or the model's context, was reached. */
    LENGTH;

    /** The lower-case name used in JSON and events ("stop", "length"), as in OpenAI-style APIs. */
    public String json() {
        return name().toLowerCase();
    }
}
