package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * A step case as tensors: G sequences prompt ++ completion_i, right-padded, and the completion tokens to score.
 * A sequence's last token is only ever a target, never an input (no position after it is scored), so the model input
 * stops before the longest completion's last token: T = P + L − 1 positions (P prompt length, L longest completion),
 * and the logits of positions [P − 1, T) are exactly the L scored positions. Legend: G rollouts, T positions, L
 * completion positions, V vocab.
 */
public final class RolloutBatch {

    private final int promptLength;
    final NDArray tokens;      // [G, T] int64
    final NDArray valid;       // [G, T] boolean
    final NDArray targets;     // [G, L] int64, completion tokens (0 where padded)
    final NDArray targetMask;  // [G, L] float32, 1 on completion tokens
    final NDArray lengths;     // [G] float32, L_i

    public RolloutBatch(StepCase c, NDManager manager) {
        int g = c.groupSize();
        promptLength = c.promptIds().length;
        int longest = 0;
        for (int[] comp : c.completions()) {
            longest = Math.max(longest, comp.length);
        }
        int t = promptLength + longest - 1;
        long[] ids = new long[g * t];
        boolean[] mask = new boolean[g * t];
        long[] target = new long[g * longest];
        float[] targetValid = new float[g * longest];
        float[] length = new float[g];
        for (int i = 0; i < g; i++) {
            int[] comp = c.completions()[i];
            for (int p = 0; p < promptLength; p++) {
                ids[i * t + p] = c.promptIds()[p];
                mask[i * t + p] = true;
            }
            for (int j = 0; j < comp.length - 1; j++) {
                ids[i * t + promptLength + j] = comp[j];
                mask[i * t + promptLength + j] = true;
            }
            for (int j = 0; j < comp.length; j++) {
                target[i * longest + j] = comp[j];
                targetValid[i * longest + j] = 1f;
            }
            length[i] = comp.length;
        }
        tokens = manager.create(ids, new Shape(g, t));
        valid = manager.create(mask, new Shape(g, t));
        targets = manager.create(target, new Shape(g, longest));
        targetMask = manager.create(targetValid, new Shape(g, longest));
        lengths = manager.create(length);
    }

    /** The first position whose logits are scored: the one before the first completion token. */
    int firstScored() {
        return promptLength - 1;
    }

    /**
     * logp_{i,t}: the log-softmax at the position before each completion token, gathered at that token
     * (temperature 1). Prompt positions are never scored; padding is masked. Logits of positions [firstScored, T),
     * [G, L, V] → [G, L], zero where padded.
     */
    NDArray completionLogprobs(NDArray logits) {
        NDArray logp = logits.logSoftmax(2).gather(targets.expandDims(2), 2).squeeze(2);                         // [G, L]
        return logp.mul(targetMask);
    }

    /** The longest completion: L, the scored positions. */
    int scoredPositions() {
        return (int) targets.getShape().get(1);
    }

    /**
     * {@link #completionLogprobs} of the scored positions [from, to) only: logits [G, to − from, V] → [G, to − from].
     */
    NDArray completionLogprobs(NDArray logits, int from, int to) {
        NDIndex slice = new NDIndex(":, {}:{}", from, to);
        NDArray logp = logits.logSoftmax(2).gather(targets.get(slice).expandDims(2), 2).squeeze(2);
        return logp.mul(targetMask.get(slice));
    }

    /** S_i = Σ_t over completion tokens. [G, L] → [G] */
    NDArray sequenceSums(NDArray tokenValues) {
        return tokenValues.sum(new int[] {1});
    }
}
