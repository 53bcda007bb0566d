package dev.espalier.policy.lora;

import java.util.List;

/**
 * What a LoRA adapter is made of: W' = W + (alpha / rank)·B·A on every module whose last path segment is one of
 * {@code targets} (PEFT's {@code target_modules} matching by module-name suffix).
 *
 * @param rank          r, the inner dimension of B·A
 * @param alpha         lora_alpha; the update is scaled by alpha / r
 * @param targets       module names such as {@code q_proj}, in the order their parameters are laid out
 * @param baseModel     the base model's name or path, written to adapter_config.json for PEFT
 */
public record LoraConfig(int rank, double alpha, List<String> targets, String baseModel) {

    /** DESIGN.md §1: attention and MLP projections of a llama-style block. */
    public static final List<String> DEFAULT_TARGETS =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("LoRA alpha must be > 0, got " + alpha);
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module");
        }
        targets = List.copyOf(targets);
    }

    public static LoraConfig defaults(String baseModel) {
        return new LoraConfig(16, 16, DEFAULT_TARGETS, baseModel);
    }

    /** PEFT's {@code scaling = lora_alpha / r} (use_rslora false). */
    public double scaling() {
        return alpha / rank;
    }
}
