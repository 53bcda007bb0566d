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
 * @param prefix     the layout of a packed pass whose rows share a prefix (then mask, cache and the slots are null);
 *                   null for a plain pass
 */
record AttentionContext(NDArray cos, NDArray sin, NDArray mask, KvCache cache, NDIndex keySlots, NDIndex valueSlots,
                        SharedPrefix prefix) {

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
        long[] queryPositions = new long[batch * time];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                queryPositions[b * time + t] = positions[b][from + t];
            }
        }
        NDList angles = rotary.angles(queryPositions, batch, time, manager);
        return new AttentionContext(angles.get(0), angles.get(1),
                mask(real, positions, from, time, keys, window, manager), cache,
                new NDIndex(":, :, 0, :, {}:{}", from, from + time),
                new NDIndex(":, :, 0, {}:{}", from, from + time), null);
    }

    /**
     * A full-sequence pass over rows that share their first {@code shared} tokens (all real), packed into one row:
     * the prefix once, then every row's positions [P, T) — N = P + B·(T − P) tokens, each with its own position's
     * angles, [1,N,H+KV,D]. Attention alone unpacks them ({@link SharedPrefix}): the prefix attends to itself, every
     * row to the prefix and then to its own slots, with the full sequence's masks (window and padding included).
     */
    static AttentionContext packed(Rotary rotary, boolean[][] real, long[][] positions, int shared, int window,
                                   NDManager manager) {
        int batch = real.length;
        int time = real[0].length;
        int own = time - shared;
        long[] packedPositions = new long[shared + batch * own];
        System.arraycopy(positions[0], 0, packedPositions, 0, shared);
        for (int b = 0; b < batch; b++) {
            System.arraycopy(positions[b], shared, packedPositions, shared + b * own, own);
        }
        NDList angles = rotary.angles(packedPositions, 1, packedPositions.length, manager);
        SharedPrefix prefix = new SharedPrefix(shared, batch, own,
                mask(new boolean[][]{real[0]}, new long[][]{positions[0]}, 0, shared, shared, window, manager),
                mask(real, positions, shared, own, time, window, manager));
        return new AttentionContext(angles.get(0), angles.get(1), null, null, null, null, prefix);
    }

    /**
     * [B,1,1,T,S]: whether query slot from+t may attend key slot s — causal, real keys only, within the window.
     *
     * @param real      [B][≥ from+T] which slots hold real tokens
     * @param positions [B][≥ from+T] the position of each slot
     * @param keys      S, the number of key slots attended
     */
    private static NDArray mask(boolean[][] real, long[][] positions, int from, int time, int keys, int window,
                                NDManager manager) {
        int batch = real.length;
        float[] mask = new float[batch * time * keys];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int q = from + t;
                long qp = positions[b][q];
                int row = (b * time + t) * keys;
                for (int s = 0; s < keys; s++) {
                    boolean visible = s <= q && real[b][s] && (window == 0 || qp - positions[b][s] < window);
                    mask[row + s] = visible ? 0f : BLOCKED;
                }
            }
        }
        return manager.create(mask, new Shape(batch, 1, 1, time, keys));
    }
}
