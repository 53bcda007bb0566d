package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * What every layer of one forward pass shares, built once on the host: the rotary angles of the new tokens and the
 * additive attention mask over all key slots. With a cache, the pass writes its keys and values into cache slots
 * [from, from+T) and attends over the whole cache (unfilled slots are masked), which saves slicing it every layer.
 *
 * @param cos       [B,T,H+KV,D] (queries pre-scaled by 1/√D)
 * @param sin       [B,T,H+KV,D]
 * @param mask      [B,1,1,T,S] 0 where a query may attend a key slot, -FLT_MAX where not
 * @param cache     the generation's cache, or null for a full-sequence pass (keys are then this pass's own)
 * @param keySlots  where this pass's keys go in the cache, ":, :, 0, :, from:to"
 * @param valueSlots where its values go, ":, :, 0, from:to"
 * @param prefix     without a cache: the {@link SharedPrefix} this pass computes ({@code ownsPrefix}) or whose keys it
 *                   attends to before its own; null for a plain full-sequence pass
 * @param ownsPrefix whether this pass is the prefix pass, which keeps its keys and values in {@code prefix}
 */
record AttentionContext(NDArray cos, NDArray sin, NDArray mask, KvCache cache, NDIndex keySlots, NDIndex valueSlots,
                        SharedPrefix prefix, boolean ownsPrefix) {

    /** Blocked entries get the most negative float, as transformers does: exp underflows to exactly 0. */
    private static final float BLOCKED = -Float.MAX_VALUE;

    /**
     * @param real      [B][≥ from+T] which slots hold real tokens
     * @param positions [B][≥ from+T] the position of each slot
     * @param from      the first query slot; queries are slots [from, from+T)
     * @param keys      S, the number of key slots attended (the cache capacity, or T without a cache)
     * @param window    sliding window in tokens, 0 for none
     */
    static AttentionContext build(Rotary rotary, boolean[][] real, long[][] positions, int from, int time, int keys,
                                  int window, KvCache cache, NDManager manager) {
        int batch = real.length;
        float[] mask = new float[batch * time * keys];
        long[] queryPositions = new long[batch * time];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int q = from + t;
                long qp = positions[b][q];
                queryPositions[b * time + t] = qp;
                int row = (b * time + t) * keys;
                for (int s = 0; s < keys; s++) {
                    boolean visible = s <= q && real[b][s] && (window == 0 || qp - positions[b][s] < window);
                    mask[row + s] = visible ? 0f : BLOCKED;
                }
            }
        }
        NDList angles = rotary.angles(queryPositions, batch, time, manager);
        return new AttentionContext(angles.get(0), angles.get(1),
                manager.create(mask, new Shape(batch, 1, 1, time, keys)), cache,
                new NDIndex(":, :, 0, :, {}:{}", from, from + time),
                new NDIndex(":, :, 0, {}:{}", from, from + time), null, false);
    }

    /** This context for the pass over a shared prefix: every layer keeps its keys and values in {@code prefix}. */
    AttentionContext computingPrefix(SharedPrefix prefix) {
        return new AttentionContext(cos, sin, mask, null, keySlots, valueSlots, prefix, true);
    }

    /**
     * This context for the pass over the rows after a shared prefix: every layer attends to the prefix's keys, then
     * its own. Built with {@code from} = P and {@code keys} = P + T, its mask already spans both.
     */
    AttentionContext afterPrefix(SharedPrefix prefix) {
        return new AttentionContext(cos, sin, mask, null, keySlots, valueSlots, prefix, false);
    }
}
