package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;

/**
 * An extra term added to the output of a linear projection (LoRA implements it). Agreed with the training code
 * (see docs/model-and-generation.md): the model calls {@link #apply} once per Hugging Face module path, with that
 * module's input, even where it fuses several projections into one matmul.
 */
@FunctionalInterface
public interface ProjectionDelta {

    /**
     * @param modulePath the Hugging Face module path without {@code .weight}, e.g. {@code model.layers.3.self_attn.q_proj}
     * @param x          the module's input, [..., in]
     * @return the delta [..., out] to add to x·Wᵀ(+b), or null when this module has none
     */
    NDArray apply(String modulePath, NDArray x);

    ProjectionDelta NONE = (path, x) -> null;
}
