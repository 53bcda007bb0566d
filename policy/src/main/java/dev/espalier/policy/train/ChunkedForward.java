package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ProjectionDelta;

/**
 * A forward whose last operation, the vocabulary projection, can run on a slice of positions at a time: what a step
 * needs to score long batches without holding [G,L,V] logits (and their gradient) at once.
 */
public interface ChunkedForward extends CausalForward {

    /** The last layer's output at positions [from, T): [B, T − from, C], with the graph kept under a collector. */
    NDArray hidden(NDArray tokenIds, NDArray validMask, ProjectionDelta delta, int fromPosition);

    /** [B, N, C] hidden states → [B, N, V] float32 logits (the output head has no adapter). */
    NDArray project(NDArray hidden);

    /** V. */
    int vocabularySize();

    static ChunkedForward of(CausalLm model) {
        return new ChunkedForward() {
            @Override
            public NDArray logits(NDArray tokenIds, NDArray validMask, ProjectionDelta delta, int fromPosition) {
                return model.logits(tokenIds, validMask, delta, fromPosition);
            }

            @Override
            public NDArray hidden(NDArray tokenIds, NDArray validMask, ProjectionDelta delta, int fromPosition) {
                return model.hiddenStates(tokenIds, validMask, delta, fromPosition);
            }

            @Override
            public NDArray project(NDArray hidden) {
                return model.vocabularyLogits(hidden);
            }

            @Override
            public int vocabularySize() {
                return model.config().vocabSize();
            }
        };
    }
}
