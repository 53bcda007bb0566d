package dev.espalier.events;

import java.util.Objects;

/** One message of a chat prompt; {@code role} is "system" or "user". */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        content = StoredText.clean(content); // prompts from files and datasets; typed text is checked before
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }
}
