package dev.espalier.policy.text;

import java.util.Arrays;

/**
 * Turns one completion's token ids, pushed one at a time, into text deltas that are safe to show: a token can end
 * in the middle of a UTF-8 character (a rare emoji is often 2–4 byte tokens), and decoding then ends in U+FFFD, so
 * such text is held back until the character completes. The deltas, with {@link #flush()}, concatenate to
 * {@code decode(all ids)}.
 *
 * <p>Each push decodes only a short window: the tokens since the last emitted delta plus the tokens of that delta,
 * so the decoder sees the same left neighbour a full decode would (the scheme of vLLM's incremental detokenizer).
 * That keeps a push O(1) in the completion length. {@link #flush()} decodes everything once and sends whatever the
 * full decode has beyond the text already sent. Not thread-safe: one per completion.
 */
public final class StreamingDecoder {

    private static final char REPLACEMENT = '\uFFFD';

    private final TextTokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[64];
    private int size;
    /** Start of the decode window: the first token of the last emitted delta. */
    private int prefixOffset;
    /** Tokens before this index have been turned into text. */
    private int readOffset;
    private final StringBuilder emitted = new StringBuilder();

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
        String known = decode(prefixOffset, readOffset);
        String window = decode(prefixOffset, size);
        if (window.length() <= known.length() || window.charAt(window.length() - 1) == REPLACEMENT
                || !window.startsWith(known)) {
            return "";
        }
        String delta = window.substring(known.length());
        prefixOffset = readOffset;
        readOffset = size;
        emitted.append(delta);
        return delta;
    }

    /** Ends the completion: returns whatever was held back (an incomplete character decodes as U+FFFD). */
    public String flush() {
        String full = decode(0, size);
        String sent = emitted.toString();
        int common = 0;
        while (common < Math.min(full.length(), sent.length()) && full.charAt(common) == sent.charAt(common)) {
            common++;
        }
        // common < sent.length() would mean a decoder changed text already shown; it cannot be taken back.
        String rest = full.substring(common);
        emitted.setLength(common);
        emitted.append(rest);
        prefixOffset = size;
        readOffset = size;
        return rest;
    }

    /** The text sent so far. */
    public String text() {
        return emitted.toString();
    }

    public int[] ids() {
        return Arrays.copyOf(ids, size);
    }

    private String decode(int from, int to) {
        return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
    }
}
