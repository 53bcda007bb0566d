package dev.espalier.ui.client;

/** session-service's answer to {@code GET /models/preview}. */
public record ModelPreview(String model, String architecture, String modelType, Long parameters,
                           boolean parametersCounted, Long weightBytes, Integer hiddenSize, Integer layers,
                           Integer vocab, Integer contextLength, boolean chatTemplate, String source) {
}
