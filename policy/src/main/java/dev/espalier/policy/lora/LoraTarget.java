package dev.espalier.policy.lora;

/**
 * One linear projection of the base model that carries a LoRA pair.
 *
 * @param modulePath  Hugging Face module path without {@code .weight}, e.g. {@code model.layers.3.self_attn.q_proj}
 * @param inFeatures  columns of the base weight [out, in]
 * @param outFeatures rows of the base weight
 */
public record LoraTarget(String modulePath, long inFeatures, long outFeatures) {

    /** The last path segment, e.g. {@code q_proj}. */
    public String moduleName() {
        return modulePath.substring(modulePath.lastIndexOf('.') + 1);
    }
}
