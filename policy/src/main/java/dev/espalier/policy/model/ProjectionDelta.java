package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;

/** An extra term added to the output of a linear projection (LoRA implements it). */
public interface ProjectionDelta {
    /** x: [..., in]; returns the delta [..., out] to ADD to x·Wᵀ(+b), or null when this module has none. */
    NDArray apply(String modulePath, NDArray x);

    ProjectionDelta NONE = (path, x) -> null;
}
