package dev.espalier.policy.generate;

import dev.espalier.policy.text.StreamingDecoder;
import dev.espalier.policy.text.TextTokenizer;

/**
 * Turns the token stream of a generation into text deltas per row, safe to show as they come (never half a UTF-8
 * character), and keeps each row's whole text. Runs on the generating thread, like every {@link TokenListener}.
 */
public final class TextStream implements TokenListener {

    /** Receives each row's text as it grows; the deltas of a row concatenate to its final text. */
    @FunctionalInterface
    public interface Deltas {
        void onText(int row, String delta);
    }

    private final StreamingDecoder[] decoders;
    private final Deltas deltas;

    public TextStream(TextTokenizer tokenizer, int rows, Deltas deltas) {
        this.decoders = new StreamingDecoder[rows];
        for (int i = 0; i < rows; i++) {
            decoders[i] = tokenizer.streamingDecoder();
        }
        this.deltas = deltas;
    }

    @Override
    public void onToken(int row, int tokenId, float logprob) {
        emit(row, decoders[row].push(tokenId));
    }

    @Override
    public void onFinish(int row, FinishReason reason) {
        emit(row, decoders[row].flush());
    }

    /** The row's text so far (all of it once the row has finished). */
    public String text(int row) {
        return decoders[row].text();
    }

    private void emit(int row, String delta) {
        if (!delta.isEmpty()) {
            deltas.onText(row, delta);
        }
    }
}
