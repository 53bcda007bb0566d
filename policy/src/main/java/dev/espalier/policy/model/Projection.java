package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * One or more linear projections of the same input computed as a single matmul (q/k/v, gate/up): fewer, larger
 * matmuls cost fewer JNI calls and use the cores better than several thin ones. The {@link ProjectionDelta} is still
 * asked once per Hugging Face module, and each delta is added to that module's slice of the output.
 *
 * <p>Shapes: x [..., in] → outputs [..., out_i] for each module i.
 */
final class Projection {

    private final String[] modulePaths;
    private final long[] splitPoints;
    private final NDArray weight;
    private final NDArray bias;

    /**
     * @param weight [Σ out_i, in], the modules' weights stacked in the order of modulePaths
     * @param bias   [Σ out_i] or null
     */
    Projection(String[] modulePaths, int[] outWidths, NDArray weight, NDArray bias) {
        this.modulePaths = modulePaths.clone();
        this.splitPoints = new long[outWidths.length - 1];
        long at = 0;
        for (int i = 0; i < splitPoints.length; i++) {
            at += outWidths[i];
            splitPoints[i] = at;
        }
        this.weight = weight;
        this.bias = bias;
    }

    /** A single module. */
    NDArray apply(NDArray x, ProjectionDelta delta) {
        return withDelta(linear(x), 0, x, delta);
    }

    /** Every module's output, in the order of the module paths. */
    NDList applyAll(NDArray x, ProjectionDelta delta) {
        NDArray y = linear(x);
        NDList parts = splitPoints.length == 0 ? new NDList(y) : y.split(splitPoints, y.getShape().dimension() - 1);
        NDList out = new NDList(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            out.add(withDelta(parts.get(i), i, x, delta));
        }
        return out;
    }

    private NDArray linear(NDArray x) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    private NDArray withDelta(NDArray y, int module, NDArray x, ProjectionDelta delta) {
        NDArray d = delta.apply(modulePaths[module], x);
        return d == null ? y : y.add(d);
    }
}
