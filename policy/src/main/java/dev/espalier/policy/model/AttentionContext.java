package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * What every layer of one forward pass shares: the rotary angles of the new tokens and the additive attention mask
 * over all key slots, built once on the host. With a cache, keys and values are appended to it at {@code from}.
 *
 * @param cosQ  [B,T,1,D] query cos, pre-scaled by 1/√D
 * @param sinQ  [B,T,1,D]
 * @param cosK  [B,T,1,D]
 * @param sinK  [B,T,1,D]
 * @param mask  [B,1,1,T,S] 0 where a query may attend a key, -FLT_MAX where not
 * @param cache the generation's cache, or null for a full-sequence pass (keys are then this pass's own)
 * @param from  first cache slot written by this pass
 */
record AttentionContext(NDArray cosQ, NDArray sinQ, NDArray cosK, NDArray sinK, NDArray mask, KvCache cache, int from) {

    /** Blocked entries get the most negative float, as transformers does: exp underflows to exactly 0. */
    private static final float BLOCKED = -Float.MAX_VALUE;

    /**
     * @param real      [B][S] which key slots hold real tokens
     * @param positions [B][S] the position of each slot
     * @param from      the first query slot; queries are slots [from, from+T)
     * @param window    sliding window in tokens, 0 for none
     */
    static AttentionContext build(Rotary rotary, boolean[][] real, long[][] positions, int from, int time,
                                  int window, KvCache cache, NDManager manager) {
        int batch = real.length;
        int keys = from + time;
        float[] mask = new float[batch * time * keys];
        long[] queryPositions = new long[batch * time];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int q = from + t;
                long qp = positions[b][q];
                queryPositions[b * time + t] = qp;
                int row = (b * time + t) * keys;
                for (int s = 0; s < keys; s++) {
                    boolean visible = real[b][s] && s <= q && (window == 0 || qp - positions[b][s] < window);
                    mask[row + s] = visible ? 0f : BLOCKED;
                }
            }
        }
        NDList angles = rotary.angles(queryPositions, batch, time, manager).split(4, 0);
        return new AttentionContext(
                squeezeFirst(angles.get(0)), squeezeFirst(angles.get(1)),
                squeezeFirst(angles.get(2)), squeezeFirst(angles.get(3)),
                manager.create(mask, new Shape(batch, 1, 1, time, keys)), cache, from);
    }

    private static NDArray squeezeFirst(NDArray a) {
        return a.squeeze(0);
    }
}
