package dev.espalier.policy.text;

import java.util.Map;
import java.util.Objects;

/** One turn of a conversation as chat templates see it: {@code {"role": ..., "content": ...}}. */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    Map<String, Object> asTemplateValue() {
        return Map.of("role", role, "content", content);
    }
}
