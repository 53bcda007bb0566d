package dev.espalier.policy.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A scalar operand for code that runs under a GradientCollector. DJL's {@code mul(Number)} and friends wrap the number
 * in an array backed by a Java direct buffer and close it right after the op; when the op saves that operand for
 * backward (mul, div, minimum, …), a GC before backward frees the buffer and the gradient is computed from whatever
 * reuses the memory (BackwardAfterGcTest). {@code full} allocates in the engine, which keeps the value alive for as
 * long as the graph holds it.
 */
public final class GraphScalar {

    private GraphScalar() {
    }

    public static NDArray of(NDArray like, double value) {
        return of(like.getManager(), value);
    }

    public static NDArray of(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value, DataType.FLOAT32);
    }
}
