package dev.espalier.policy.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * AdamW's persistent state: first and second moments per LoRA parameter (same order as
 * {@code LoraAdapter.parameters()}) and the number of updates taken so far.
 */
public final class OptimizerState {

    private List<NDArray> m;
    private List<NDArray> v;
    private long step;

    OptimizerState(List<NDArray> m, List<NDArray> v, long step) {
        this.m = List.copyOf(m);
        this.v = List.copyOf(v);
        this.step = step;
    }

    static OptimizerState zeros(List<NDArray> parameters, NDManager manager) {
        List<NDArray> m = new ArrayList<>();
        List<NDArray> v = new ArrayList<>();
        for (NDArray p : parameters) {
            m.add(manager.zeros(p.getShape(), DataType.FLOAT32));
            v.add(manager.zeros(p.getShape(), DataType.FLOAT32));
        }
        return new OptimizerState(m, v, 0);
    }

    public List<NDArray> m() {
        return m;
    }

    public List<NDArray> v() {
        return v;
    }

    /** Updates taken so far (PyTorch's {@code state["step"]}). */
    public long step() {
        return step;
    }

    /** An independent copy attached to {@code manager}: the same moments and step count. */
    OptimizerState copy(NDManager manager) {
        return new OptimizerState(duplicates(m, manager), duplicates(v, manager), step);
    }

    private static List<NDArray> duplicates(List<NDArray> arrays, NDManager manager) {
        List<NDArray> copies = new ArrayList<>();
        for (NDArray a : arrays) {
            NDArray d = a.duplicate();
            d.attach(manager);
            copies.add(d);
        }
        return copies;
    }

    /** Swaps in the moments after one more update, attaching them to {@code manager}, and frees the old ones. */
    public void advance(List<NDArray> nextM, List<NDArray> nextV, NDManager manager) {
        List<NDArray> oldM = m;
        List<NDArray> oldV = v;
        nextM.forEach(a -> a.attach(manager));
        nextV.forEach(a -> a.attach(manager));
        m = List.copyOf(nextM);
        v = List.copyOf(nextV);
        step++;
        oldM.forEach(NDArray::close);
        oldV.forEach(NDArray::close);
    }
}
