package dev.espalier.policy.text;

import java.util.Arrays;

/**
 * Turns one completion's token ids, pushed one at a time, into text deltas that are safe to show: a token can end
 * in the middle of a UTF-8 character (an emoji is often 2–4 byte tokens), and decoding then ends in U+FFFD, so such
 * text is held back until the character completes. The deltas, with {@link #flush()}, concatenate to
 * {@code decode(all ids)}.
 *
 * <p>Each push decodes the whole completion so far, so that tokenizers whose decoders look at neighbours
 * (SentencePiece's leading space) come out exactly as a full decode; that is O(n) per token, fine for completions
 * of a few thousand tokens. Not thread-safe: one per completion.
 */
public final class StreamingDecoder {

    private static final char REPLACEMENT = '\uFFFD';

    private final TextTokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[64];
    private int size;
    private String emitted = "";

    StreamingDecoder(TextTokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds the next token; returns the new text it completes (often "", never half a character). */
    public String push(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String text = decodeAll();
        if (text.isEmpty() || text.charAt(text.length() - 1) == REPLACEMENT || !text.startsWith(emitted)) {
            return "";
        }
        return advanceTo(text);
    }

    /** Ends the completion: returns whatever was held back (an incomplete character decodes as U+FFFD). */
    public String flush() {
        String text = decodeAll();
        if (!text.startsWith(emitted)) {
            // A decoder changed text already shown; only the part after the common prefix can still be sent.
            int common = 0;
            while (common < Math.min(text.length(), emitted.length()) && text.charAt(common) == emitted.charAt(common)) {
                common++;
            }
            emitted = text;
            return text.substring(common);
        }
        return advanceTo(text);
    }

    /** The text sent so far. */
    public String text() {
        return emitted;
    }

    public int[] ids() {
        return Arrays.copyOf(ids, size);
    }

    private String decodeAll() {
        return tokenizer.decode(Arrays.copyOf(ids, size), skipSpecialTokens);
    }

    private String advanceTo(String text) {
        String delta = text.substring(emitted.length());
        emitted = text;
        return delta;
    }
}
