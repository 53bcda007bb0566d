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
    /** The weights' (and so the activations') type, read once: the float32 path does no type checks per call. */
    private final DataType type;

    RmsNorm(NDArray weight, double eps) {
        this.weight = weight;
        this.eps = (float) eps;
        this.type = weight.getDataType();
    }

    NDArray weight() {
        return weight;
    }

    float eps() {
        return eps;
    }

    NDArray apply(NDArray x) { // x [..., C]
        if (type == DataType.FLOAT32) {
            return normalise(x).mul(weight);
        }
        return Cast.to(normalise(Cast.to(x, DataType.FLOAT32)), type).mul(weight);
    }

    private NDArray normalise(NDArray x) {
        NDArray rms = x.square().mean(new int[]{-1}, true).add(eps).sqrt(); // [..., 1]
        return x.div(rms);                                                 // [..., C]
    }
}
