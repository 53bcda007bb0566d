package dev.espalier.ui.client;

import java.util.List;

/** session-service's answer to {@code POST /prompts/preview}. */
public record PromptPreview(int total, List<String> first, String textColumn, boolean playOrder) {
}
