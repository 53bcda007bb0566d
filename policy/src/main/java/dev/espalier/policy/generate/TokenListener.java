package dev.espalier.policy.generate;

/**
 * Receives tokens as they are generated, on the generating thread, in order per row. The text layer (UTF-8-safe
 * streaming decode) sits on top of this.
 */
public interface TokenListener {

    void onToken(int row, int tokenId, float logprob);

    /** Called once per row, after its last token. */
    default void onFinish(int row, FinishReason reason) {
    }

    TokenListener NONE = (row, tokenId, logprob) -> {
    };
}
