package dev.espalier.policy.cli;

import dev.espalier.policy.text.PromptFormat;
import dev.espalier.policy.text.TextTokenizer;

import java.util.Optional;

/**
 * The prompt of {@code generate}: {@code --prompt-ids 1,2,3}, or {@code --prompt TEXT} rendered the way a session
 * renders it ({@code --chat} applies the model's chat template with {@code --system}; {@code --prefix} and
 * {@code --suffix} wrap the text in either mode).
 */
final class PromptArguments {

    private PromptArguments() {
    }

    static int[] tokenIds(Args args, Optional<TextTokenizer> tokenizer) {
        if (args.has("prompt-ids") == args.has("prompt")) {
            throw new IllegalArgumentException("give exactly one of --prompt TEXT or --prompt-ids 1,2,3");
        }
        if (args.has("prompt-ids")) {
            return args.integers("prompt-ids");
        }
        TextTokenizer tok = tokenizer.orElseThrow(() -> new IllegalArgumentException(
                "--prompt needs a tokenizer, and the model directory has no " + TextTokenizer.FILE
                        + " (use --prompt-ids)"));
        PromptFormat format = new PromptFormat(
                args.flag("chat") ? PromptFormat.Mode.CHAT : PromptFormat.Mode.RAW,
                args.string("system", null), args.string("prefix", ""), args.string("suffix", ""));
        return format.encode(tok, args.string("prompt"));
    }
}
