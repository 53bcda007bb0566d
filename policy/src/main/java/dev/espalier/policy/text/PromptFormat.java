package dev.espalier.policy.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a user's text becomes the model's prompt.
 * <ul>
 *   <li>{@link Mode#CHAT}: the conversation [system?, user(prefix + text + suffix)] rendered by the tokenizer's chat
 *       template with the generation prompt, encoded without adding special tokens (the template wrote them), as
 *       transformers' {@code apply_chat_template(..., add_generation_prompt=True)} does.</li>
 *   <li>{@link Mode#RAW}: prefix + text + suffix for plain next-token continuation, encoded as transformers'
 *       {@code tokenizer(text)}: tokenizer.json's post-processor decides, so Gemma 3 gets {@code <bos>} and Qwen3
 *       gets nothing.</li>
 * </ul>
 *
 * @param mode   chat or raw
 * @param system system prompt (chat mode only), or null
 * @param prefix text put before the user's text ("" for none)
 * @param suffix text put after the user's text ("" for none)
 */
public record PromptFormat(Mode mode, String system, String prefix, String suffix) {

    public enum Mode { CHAT, RAW }

    public PromptFormat {
        Objects.requireNonNull(mode, "mode");
        prefix = Objects.requireNonNullElse(prefix, "");
        suffix = Objects.requireNonNullElse(suffix, "");
        if (system != null && system.isEmpty()) {
            system = null;
        }
        if (mode == Mode.RAW && system != null) {
            throw new IllegalArgumentException("a system prompt needs chat mode; raw mode has no roles");
        }
    }

    public static PromptFormat chat(String system) {
        return new PromptFormat(Mode.CHAT, system, "", "");
    }

    public static PromptFormat raw() {
        return new PromptFormat(Mode.RAW, null, "", "");
    }

    public Optional<String> systemPrompt() {
        return Optional.ofNullable(system);
    }

    /** The conversation chat mode renders (also what a PromptIssued event records). */
    public List<ChatMessage> messages(String userText) {
        List<ChatMessage> messages = new ArrayList<>();
        systemPrompt().ifPresent(s -> messages.add(ChatMessage.system(s)));
        messages.add(ChatMessage.user(prefix + userText + suffix));
        return List.copyOf(messages);
    }

    /** The prompt text the model continues. */
    public String render(TextTokenizer tokenizer, String userText) {
        Objects.requireNonNull(userText, "userText");
        return switch (mode) {
            case CHAT -> tokenizer.applyChatTemplate(messages(userText), true);
            case RAW -> prefix + userText + suffix;
        };
    }

    /** The prompt's token ids. */
    public int[] encode(TextTokenizer tokenizer, String userText) {
        String text = render(tokenizer, userText);
        return switch (mode) {
            case CHAT -> tokenizer.encode(text);
            case RAW -> tokenizer.encodeWithSpecialTokens(text);
        };
    }
}
