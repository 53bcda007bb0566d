package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding in the Hugging Face layout (rotate_half: the head's two halves form the pairs),
 * applied to query and key heads together. The angle table is computed on the host in float32 steps like
 * transformers (inv_freq, then position · inv_freq), so positions give the same cos/sin bits as the reference.
 *
 * <p>rotate_half(x) is written as x·R with a fixed signed permutation matrix R: one matmul instead of
 * split/negate/concat, and exact, since every output is one ±x term.
 */
final class Rotary {

    private final int headDim;
    private final int queryHeads;
    private final int keyHeads;
    private final float[] invFreq; // [D/2]
    private final NDArray rotateHalf; // [D, D]
    private final DataType type;

    /** @param type the activations' type: the angle tables and R are made in it */
    Rotary(ModelConfig config, NDManager manager, DataType type) {
        this.type = type;
        this.headDim = config.headDim();
        this.queryHeads = config.numHeads();
        this.keyHeads = config.numKvHeads();
        int half = headDim / 2;
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / headDim;
            float f = (float) (1.0 / (float) Math.pow(config.ropeTheta(), exponent));
            invFreq[i] = config.ropeScaling() == null ? f : config.ropeScaling().scale(f);
        }
        float[] r = new float[headDim * headDim];
        for (int j = 0; j < half; j++) {
            r[(j + half) * headDim + j] = -1f; // out[j]        = -x[j + D/2]
            r[j * headDim + j + half] = 1f;    // out[j + D/2]  =  x[j]
        }
        this.rotateHalf = inType(manager.create(r, new Shape(headDim, headDim)));
    }

    /** The inverse frequencies [D/2] (llama3 scaling applied), exactly as {@link #angles} uses them. */
    float[] inverseFrequencies() {
        return invFreq.clone();
    }

    /**
     * cos and sin for every (row, time, head), each [B,T,H+KV,D]: query heads first, pre-multiplied by the attention
     * scale 1/√D (which saves a multiply per layer), then key heads.
     */
    NDList angles(long[] positions, int batch, int time, NDManager manager) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int heads = queryHeads + keyHeads;
        int n = batch * time * heads * headDim;
        float[] table = new float[2 * n];
        int half = headDim / 2;
        float[] cos = new float[half];
        float[] sin = new float[half];
        for (int p = 0; p < batch * time; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) positions[p] * invFreq[i];
                cos[i] = (float) Math.cos(angle);
                sin[i] = (float) Math.sin(angle);
            }
            for (int h = 0; h < heads; h++) {
                float s = h < queryHeads ? scale : 1f;
                int at = (p * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    table[at + i] = table[at + half + i] = cos[i] * s;
                    table[n + at + i] = table[n + at + half + i] = sin[i] * s;
                }
            }
        }
        NDList both = inType(ownedCopy(manager.create(table, new Shape(2, batch, time, heads, headDim)))).split(2, 0);
        return new NDList(both.get(0).squeeze(0), both.get(1).squeeze(0));
    }

    /**
     * An array created from Java data points into a direct buffer that only its Java object keeps alive; once the
     * forward closes it, a GC frees that memory while the autograd graph may still read it in backward (cos/sin are
     * saved by the multiplies). A copy owned by the engine stays valid as long as the graph needs it.
     */
    private static NDArray ownedCopy(NDArray fromJavaData) {
        NDArray owned = fromJavaData.duplicate();
        fromJavaData.close();
        return owned;
    }

    /** The float32 table in the activations' type (transformers also computes cos/sin in float32 and casts them). */
    private NDArray inType(NDArray float32) {
        if (type == DataType.FLOAT32) {
            return float32;
        }
        NDArray cast = float32.toType(type, false);
        float32.close();
        return cast;
    }

    /** x [B,T,H+KV,D], cos/sin [B,T,H+KV,D] → x·cos + rotate_half(x)·sin. */
    NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
    }
}
