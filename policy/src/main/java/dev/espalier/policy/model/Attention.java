package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * Causal grouped-query self-attention with RoPE (and Qwen3's per-head q/k RMSNorm).
 *
 * <p>Grouped-query attention without copying keys: queries are viewed as [B, KV, G, T, D] (G = H / KV query heads per
 * key head) and keys as [B, KV, 1, S, D], so the matmul broadcasts each key head over its group.
 * Legend: B batch, T new tokens, S key slots, H query heads, KV key/value heads, G = H/KV, D head dim, C channels.
 */
final class Attention {

    private final ModelConfig config;
    private final int layer;
    private final Projection qkv;
    private final Projection output;
    private final RmsNorm queryNorm; // null unless Qwen3
    private final RmsNorm keyNorm;
    private final Rotary rotary;

    Attention(ModelConfig config, int layer, Projection qkv, Projection output,
              RmsNorm queryNorm, RmsNorm keyNorm, Rotary rotary) {
        this.config = config;
        this.layer = layer;
        this.qkv = qkv;
        this.output = output;
        this.queryNorm = queryNorm;
        this.keyNorm = keyNorm;
        this.rotary = rotary;
    }

    NDArray apply(NDArray x, AttentionContext ctx, ProjectionDelta delta) { // x [B,T,C]
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int kv = config.numKvHeads();
        int g = config.kvGroups();
        int d = config.headDim();
        NDList proj = qkv.applyAll(x, delta);
        NDArray q = proj.get(0).reshape(b, t, config.numHeads(), d); // [B,T,H,D]
        NDArray k = proj.get(1).reshape(b, t, kv, d);                // [B,T,KV,D]
        NDArray v = proj.get(2).reshape(b, t, kv, d);                // [B,T,KV,D]
        if (queryNorm != null) {
            q = queryNorm.apply(q);
            k = keyNorm.apply(k);
        }
        q = rotary.apply(q, ctx.cosQ(), ctx.sinQ());                 // [B,T,H,D], scaled by 1/√D
        k = rotary.apply(k, ctx.cosK(), ctx.sinK()).transpose(0, 2, 1, 3); // [B,KV,T,D]
        v = v.transpose(0, 2, 1, 3);                                  // [B,KV,T,D]
        if (ctx.cache() != null) {
            NDArray[] kvAll = ctx.cache().store(layer, k, v, ctx.from());
            k = kvAll[0];                                             // [B,KV,S,D]
            v = kvAll[1];
        }
        NDArray qg = q.reshape(b, t, kv, g, d).transpose(0, 2, 3, 1, 4); // [B,KV,G,T,D]
        NDArray scores = qg.matMul(k.expandDims(2).transpose(0, 1, 2, 4, 3)); // [B,KV,G,T,S]
        NDArray weights = scores.add(ctx.mask()).softmax(-1);        // [B,KV,G,T,S]
        NDArray y = weights.matMul(v.expandDims(2));                 // [B,KV,G,T,D]
        y = y.transpose(0, 3, 1, 2, 4).reshape(new Shape(b, t, (long) config.queryWidth())); // [B,T,H·D]
        return output.apply(y, delta);                               // [B,T,C]
    }
}
