package dev.espalier.session.prompts;

import java.util.List;

/**
 * What a session with this prompt source would play.
 *
 * @param total      how many prompts the source holds
 * @param first      the first prompts in play order
 * @param textColumn the table column read; null for plain lines or typed prompts
 * @param playOrder  whether {@code first} is in play order (else file order: no order seed was given)
 */
public record PromptPreview(int total, List<String> first, String textColumn, boolean playOrder) {
}
