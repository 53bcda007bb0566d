package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** SwiGLU MLP: down(silu(gate(x)) · up(x)). Shapes: x [B,T,C] → [B,T,C], hidden [B,T,I]. */
final class FeedForward {

    private final Projection gateUp;
    private final Projection down;
    private final long[] half;

    FeedForward(Projection gateUp, Projection down, int intermediateSize) {
        this.gateUp = gateUp;
        this.down = down;
        this.half = new long[]{intermediateSize};
    }

    Projection gateUp() {
        return gateUp;
    }

    Projection down() {
        return down;
    }

    NDArray apply(NDArray x, ProjectionDelta delta) {
        NDList gu = gateUp.apply(x, delta).split(half, 2);   // 2 × [B,T,I]
        NDArray gate = gu.get(0);
        NDArray hidden = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(gu.get(1)); // [B,T,I]
        return down.apply(hidden, delta);                     // [B,T,C]
    }
}
