package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * The layout of a full-sequence pass whose B rows begin with the same P tokens (a group of completions of one
 * prompt): the prefix once, then each row's own T tokens, packed into one row of N = P + B·T tokens (see
 * {@link AttentionContext#packed}). Every position-wise part of a block (norms, projections, LoRA, MLP) runs on the
 * packed row as on any sequence, with the prefix's tokens once instead of B times; attention unpacks it: the prefix
 * attends to itself, and every row to the prefix's keys and values, the same for every row, followed by its own.
 * Nothing is written in place, so autograd follows it: under a GradientCollector the gradient reaching the prefix's
 * keys and values is the sum over its own queries and all the rows'.
 *
 * <p>Legend: B rows, P prefix tokens, T a row's own tokens, N = P + B·T.
 *
 * @param prefixMask [1,1,1,P,P] the prefix's causal mask (and window)
 * @param rowsMask   [B,1,1,T,P+T] each row's mask over the prefix's slots and then its own, as in the full sequence
 */
record SharedPrefix(int prefixLength, int rows, int ownLength, NDArray prefixMask, NDArray rowsMask) {

    /** The prefix's tokens of a packed array: [1,N,...] → [1,P,...] (a view). */
    NDArray prefixPart(NDArray packed) {
        return packed.get(new NDIndex(":, :{}", prefixLength));
    }

    /** The rows' own tokens of a packed array, one row each: [1,N,...] → [B,T,...]. */
    NDArray rowsPart(NDArray packed) {
        NDArray tail = packed.get(new NDIndex(":, {}:", prefixLength));
        long[] shape = tail.getShape().getShape();
        shape[0] = rows;
        shape[1] = ownLength;
        return tail.reshape(shape);
    }
}
