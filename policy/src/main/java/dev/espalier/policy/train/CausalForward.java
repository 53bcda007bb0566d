package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import dev.espalier.policy.model.ProjectionDelta;

/**
 * The full-sequence forward a training step needs (the model engineer's {@code CausalLm::logits}). It must work both
 * under a GradientCollector, where only the delta's parameters require a gradient, and with grad mode off.
 */
@FunctionalInterface
public interface CausalForward {

    /**
     * tokenIds [B, T] int64, validMask [B, T] boolean → logits of positions [from, T) only, [B, T − from, V] float32.
     * A step scores completion tokens only, so the vocabulary projection skips the prompt's positions.
     */
    NDArray logits(NDArray tokenIds, NDArray validMask, ProjectionDelta delta, int fromPosition);
}
