package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Causal grouped-query self-attention with RoPE (and Qwen3's per-head q/k RMSNorm).
 *
 * <p>Query and key heads are normalised and rotated together, as one [B,T,H+KV,D] block. Grouped-query attention
 * without copying keys: queries are viewed as [B,KV,G,T,D] (G = H / KV query heads per key head) and keys as
 * [B,KV,1,D,S], so the matmul broadcasts each key head over its group.
 * Legend: B batch, T new tokens, S key slots, H query heads, KV key/value heads, G = H/KV, D head dim, C channels.
 */
final class Attention {

    private final ModelConfig config;
    private final int layer;
    private final Projection qkv;
    private final Projection output;
    private final RmsNorm qkNorm; // Qwen3 only: q_norm's weight on query heads, k_norm's on key heads; else null
    private final Rotary rotary;
    private final long[] valueSplit;
    private final long[] keySplit;
    /** The activations' type (the weights'), read once: float32 scores need no casts around the softmax. */
    private final DataType type;

    Attention(ModelConfig config, int layer, Projection qkv, Projection output, RmsNorm qkNorm, Rotary rotary) {
        this.config = config;
        this.layer = layer;
        this.qkv = qkv;
        this.output = output;
        this.qkNorm = qkNorm;
        this.rotary = rotary;
        this.type = qkv.weight().getDataType();
        this.valueSplit = new long[]{config.numHeads() + config.numKvHeads()};
        this.keySplit = new long[]{config.numHeads()};
    }

    Projection qkv() {
        return qkv;
    }

    Projection output() {
        return output;
    }

    /** Qwen3's q/k norm, [H+KV, D], or null. */
    RmsNorm qkNorm() {
        return qkNorm;
    }

    NDArray apply(NDArray x, AttentionContext ctx, ProjectionDelta delta) { // x [B,T,C]
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int kv = config.numKvHeads();
        int g = config.kvGroups();
        int d = config.headDim();
        NDArray heads = qkv.apply(x, delta).reshape(b, t, config.numHeads() + 2L * kv, d); // [B,T,H+2KV,D]
        NDList qkAndV = heads.split(valueSplit, 2);
        NDArray qk = qkAndV.get(0);                                    // [B,T,H+KV,D]
        NDArray v = qkAndV.get(1);                                     // [B,T,KV,D]
        if (qkNorm != null) {
            qk = qkNorm.apply(qk);
        }
        NDList qAndK = rotary.apply(qk, ctx.cos(), ctx.sin()).split(keySplit, 2);
        NDArray q = qAndK.get(0);                                      // [B,T,H,D], scaled by 1/√D
        if (ctx.prefix() != null) {
            return output.apply(attendSharingPrefix(q, qAndK.get(1), v, ctx.prefix()), delta); // [1,N,C]
        }
        NDArray keysT = qAndK.get(1).transpose(0, 2, 3, 1);            // [B,KV,D,T]
        NDArray values = v.transpose(0, 2, 1, 3);                      // [B,KV,T,D]
        if (ctx.cache() != null) {
            NDArray[] stored = ctx.cache().store(layer, keysT, values, ctx);
            keysT = stored[0];                                         // [B,KV,1,D,S]
            values = stored[1];                                        // [B,KV,1,S,D]
        } else {
            keysT = keysT.expandDims(2);                               // [B,KV,1,D,T]
            values = values.expandDims(2);                             // [B,KV,1,T,D]
        }
        NDArray grouped = t == 1
                ? q.reshape(b, kv, g, 1, d)                             // [B,KV,G,1,D], same memory order
                : q.reshape(b, t, kv, g, d).transpose(0, 2, 3, 1, 4);   // [B,KV,G,T,D]
        NDArray weights = softmax(grouped.matMul(keysT), ctx.mask());  // [B,KV,G,T,S]
        NDArray y = weights.matMul(values);                            // [B,KV,G,T,D]
        y = t == 1
                ? y.reshape(b, 1, (long) config.queryWidth())           // [B,1,H·D]
                : y.transpose(0, 3, 1, 2, 4).reshape(b, t, (long) config.queryWidth()); // [B,T,H·D]
        return output.apply(y, delta);                                 // [B,T,C]
    }

    /**
     * Attention of a packed pass ({@link SharedPrefix}): q [1,N,H,D], k and v [1,N,KV,D] → [1,N,H·D]. The prefix's
     * keys and values serve its own queries and, broadcast, every row's, ahead of the row's own: slot order [0, P+T),
     * the order of the rows' mask.
     */
    private NDArray attendSharingPrefix(NDArray q, NDArray k, NDArray v, SharedPrefix s) {
        NDArray prefixKeys = s.prefixPart(k).transpose(0, 2, 3, 1).expandDims(2);     // [1,KV,1,D,P]
        NDArray prefixValues = s.prefixPart(v).transpose(0, 2, 1, 3).expandDims(2);   // [1,KV,1,P,D]
        NDArray prefixOut = attend(s.prefixPart(q), prefixKeys, prefixValues, s.prefixMask()); // [1,P,H·D]
        Shape keyShape = prefixKeys.getShape();
        Shape valueShape = prefixValues.getShape();
        NDArray keysT = NDArrays.concat(new NDList(
                prefixKeys.broadcast(s.rows(), keyShape.get(1), 1, keyShape.get(3), keyShape.get(4)),
                s.rowsPart(k).transpose(0, 2, 3, 1).expandDims(2)), 4);                // [B,KV,1,D,P+T]
        NDArray values = NDArrays.concat(new NDList(
                prefixValues.broadcast(s.rows(), valueShape.get(1), 1, valueShape.get(3), valueShape.get(4)),
                s.rowsPart(v).transpose(0, 2, 1, 3).expandDims(2)), 3);                // [B,KV,1,P+T,D]
        NDArray rowsOut = attend(s.rowsPart(q), keysT, values, s.rowsMask());           // [B,T,H·D]
        long n = (long) s.rows() * s.ownLength();
        return NDArrays.concat(new NDList(prefixOut, rowsOut.reshape(1, n, config.queryWidth())), 1); // [1,N,H·D]
    }

    /** q [B,T,H,D] against keysT [B,KV,1,D,S] and values [B,KV,1,S,D] under mask [B,1,1,T,S] → [B,T,H·D]. */
    private NDArray attend(NDArray q, NDArray keysT, NDArray values, NDArray mask) {
        long b = q.getShape().get(0);
        long t = q.getShape().get(1);
        NDArray grouped = q.reshape(b, t, config.numKvHeads(), config.kvGroups(), config.headDim())
                .transpose(0, 2, 3, 1, 4);                                              // [B,KV,G,T,D]
        NDArray y = softmax(grouped.matMul(keysT), mask).matMul(values);                // [B,KV,G,T,D]
        return y.transpose(0, 3, 1, 2, 4).reshape(b, t, config.queryWidth());          // [B,T,H·D]
    }

    /** Masked softmax over the key slots, in float32 (as transformers does for float16 models), in the scores' type. */
    private NDArray softmax(NDArray scores, NDArray mask) {
        if (type == DataType.FLOAT32) {
            return scores.add(mask).softmax(-1);
        }
        return Cast.to(Cast.to(scores, DataType.FLOAT32).add(mask).softmax(-1), type);
    }
}
