package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;

/** One pre-norm decoder block: x + attn(norm(x)), then h + mlp(norm(h)). Shapes [B,T,C] throughout. */
final class Block {

    private final RmsNorm attentionNorm;
    private final Attention attention;
    private final RmsNorm mlpNorm;
    private final FeedForward mlp;

    Block(RmsNorm attentionNorm, Attention attention, RmsNorm mlpNorm, FeedForward mlp) {
        this.attentionNorm = attentionNorm;
        this.attention = attention;
        this.mlpNorm = mlpNorm;
        this.mlp = mlp;
    }

    RmsNorm attentionNorm() {
        return attentionNorm;
    }

    Attention attention() {
        return attention;
    }

    RmsNorm mlpNorm() {
        return mlpNorm;
    }

    FeedForward mlp() {
        return mlp;
    }

    NDArray apply(NDArray x, AttentionContext ctx, ProjectionDelta delta) {
        NDArray h = x.add(attention.apply(attentionNorm.apply(x), ctx, delta));
        return h.add(mlp.apply(mlpNorm.apply(h), delta));
    }
}
