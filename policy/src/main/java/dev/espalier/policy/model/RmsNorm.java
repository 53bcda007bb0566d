package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;

/** y = x / sqrt(mean(x²) + eps) · w over the last axis, in float32 as in transformers' LlamaRMSNorm. */
final class RmsNorm {

    private final NDArray weight; // [C]
    private final float eps;

    RmsNorm(NDArray weight, double eps) {
        this.weight = weight;
        this.eps = (float) eps;
    }

    NDArray weight() {
        return weight;
    }

    float eps() {
        return eps;
    }

    NDArray apply(NDArray x) { // x [..., C]
        NDArray rms = x.square().mean(new int[]{-1}, true).add(eps).sqrt(); // [..., 1]
        return x.div(rms).mul(weight);                                     // [..., C]
    }
}
