package dev.espalier.session.models;

/**
 * What the setup screen shows about a model before a session loads it.
 *
 * @param parameters        how many weights; null when neither the headers nor the config tell
 * @param parametersCounted true when counted from the safetensors headers, false when estimated from config.json
 *                          (a hub model's weights are not downloaded for a preview)
 * @param weightBytes       the size of the weights on disk, from the headers or the shard index; null if unknown
 * @param source            "local" (a directory), "cache" (the HF cache already had it) or "hub" (fetched now)
 */
public record ModelPreview(String model, String architecture, String modelType, Long parameters,
                           boolean parametersCounted, Long weightBytes, Integer hiddenSize, Integer layers,
                           Integer vocab, Integer contextLength, boolean chatTemplate, String source) {
}
