package dev.espalier.session.prompts;

import java.util.List;

/**
 * Prompts as read from a source, in its own order.
 *
 * @param textColumn the table column the prompts came from; null for plain lines or typed prompts
 */
public record PromptFile(List<String> prompts, String textColumn) {
}
