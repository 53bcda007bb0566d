package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * y = x / sqrt(mean(x²) + eps) · w over the last axis. The normalisation runs in float32 whatever x's type, as in
 * transformers' LlamaRMSNorm; a float16 result is cast back before the weight multiplies it.
 */
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
        DataType type = x.getDataType();
        NDArray x32 = Cast.to(x, DataType.FLOAT32);
        NDArray rms = x32.square().mean(new int[]{-1}, true).add(eps).sqrt(); // [..., 1]
        NDArray normed = x32.div(rms);                                         // [..., C]
        return Cast.to(normed, type).mul(weight);
    }
}
