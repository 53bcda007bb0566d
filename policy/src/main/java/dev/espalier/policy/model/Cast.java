package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Type conversion that autograd can follow. DJL's {@code toType} runs under a no-grad guard in the stock JNI, so a
 * cast inside a training pass would cut the graph there and silently drop every gradient behind it. A copy into a
 * new array of the target type ({@code index_put_} over the whole array, PyTorch's differentiable {@code copy_})
 * keeps it. Used everywhere a cast may sit inside a graph: the stock JNI's requires-grad query answers false for
 * computed arrays, so there is no cheap way to tell, and the extra fill is small next to the cast itself.
 */
public final class Cast {

    private static final NDIndex ALL = new NDIndex("...");

    private Cast() {
    }

    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        NDArray out = x.getManager().zeros(x.getShape(), type);
        out.set(ALL, x);
        return out;
    }
}
