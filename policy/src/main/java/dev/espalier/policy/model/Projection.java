package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * One or more linear projections of the same input computed as a single matmul (q/k/v, gate/up): fewer, larger
 * matmuls cost fewer JNI calls and use the cores better than several thin ones. The {@link ProjectionDelta} is still
 * asked once per Hugging Face module, and each delta is added to that module's slice of the output.
 *
 * <p>Shapes: x [..., in] → [..., Σ out_i], the modules' outputs side by side in the order of their paths.
 */
final class Projection {

    private final String[] modulePaths;
    private final int[] outWidths;
    private final long[] splitPoints;
    private final NDArray weight;
    private final NDArray bias;
    /** The weight's type, read once: a float32 model adds a float32 delta with no cast. */
    private final DataType type;

    /**
     * @param weight [Σ out_i, in], the modules' weights stacked in the order of modulePaths
     * @param bias   [Σ out_i] or null
     */
    Projection(String[] modulePaths, int[] outWidths, NDArray weight, NDArray bias) {
        this.modulePaths = modulePaths.clone();
        this.outWidths = outWidths.clone();
        this.splitPoints = new long[outWidths.length - 1];
        long at = 0;
        for (int i = 0; i < splitPoints.length; i++) {
            at += outWidths[i];
            splitPoints[i] = at;
        }
        this.weight = weight;
        this.bias = bias;
        this.type = weight.getDataType();
    }

    String[] modulePaths() {
        return modulePaths.clone();
    }

    int[] outWidths() {
        return outWidths.clone();
    }

    NDArray weight() {
        return weight;
    }

    /** The bias, or null. */
    NDArray bias() {
        return bias;
    }

    NDArray apply(NDArray x, ProjectionDelta delta) {
        NDArray y = x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        NDArray[] deltas = new NDArray[modulePaths.length];
        boolean any = false;
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = delta.apply(modulePaths[i], x);
            any |= deltas[i] != null;
        }
        if (!any) {
            return y;
        }
        if (deltas.length == 1) {
            return plus(y, deltas[0]);
        }
        int last = y.getShape().dimension() - 1;
        NDList parts = y.split(splitPoints, last);
        NDList sum = new NDList(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            sum.add(deltas[i] == null ? parts.get(i) : plus(parts.get(i), deltas[i]));
        }
        return NDArrays.concat(sum, last);
    }

    /** y + delta in y's type; a float32 delta on float16 y is added in float32 first, as PEFT does. */
    private NDArray plus(NDArray y, NDArray delta) {
        NDArray sum = y.add(delta);
        return type == DataType.FLOAT32 ? sum : Cast.to(sum, type);
    }
}
