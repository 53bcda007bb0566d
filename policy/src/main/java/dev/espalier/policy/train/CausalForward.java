package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import dev.espalier.policy.model.ProjectionDelta;

/**
 * The full-sequence forward a training step needs (the model engineer's {@code CausalLm::logits}). It must work both
 * under a GradientCollector, where only the delta's parameters require a gradient, and with grad mode off.
 */
@FunctionalInterface
public interface CausalForward {

    /** tokenIds [B, T] int64, validMask [B, T] boolean → logits [B, T, V] float32. */
    NDArray logits(NDArray tokenIds, NDArray validMask, ProjectionDelta delta);
}
