package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

/**
 * The keys and values of a prefix that every row of a batch begins with (a group of completions of one prompt), so
 * that a full-sequence pass computes the prefix once, as a batch of one, instead of once per row. The prefix pass
 * {@link #keep}s each layer's keys and values; the rows' pass then attends to them, broadcast to every row, followed
 * by its own ({@link #withPrefix}). Unlike the {@link KvCache} nothing is written in place, so autograd follows it:
 * under a GradientCollector the gradient reaching the prefix's keys and values is the sum over all rows.
 *
 * <p>Legend: B rows, P prefix tokens, T the rows' own tokens, KV key/value heads, D head dim.
 */
final class SharedPrefix implements AutoCloseable {

    private final int rows;
    private final NDArray[] keys;   // per layer [1,KV,1,D,P]
    private final NDArray[] values; // per layer [1,KV,1,P,D]

    SharedPrefix(int layers, int rows) {
        this.rows = rows;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /**
     * Holds a layer's prefix keys [1,KV,1,D,P] and values [1,KV,1,P,D] beyond the scope of the block that computed
     * them, until {@link #close}.
     */
    void keep(int layer, NDArray keysT, NDArray v) {
        NDScope.unregister(keysT, v);
        keys[layer] = keysT;
        values[layer] = v;
    }

    /**
     * The keys and values the rows attend to: the prefix's, the same for every row, then the rows' own, in slot order
     * [0, P+T) — the order the attention mask of a full-sequence pass uses. keysT [B,KV,1,D,T], v [B,KV,1,T,D] →
     * [B,KV,1,D,P+T] and [B,KV,1,P+T,D].
     */
    NDArray[] withPrefix(int layer, NDArray keysT, NDArray v) {
        Shape k = keys[layer].getShape();
        Shape s = values[layer].getShape();
        NDArray prefixKeys = keys[layer].broadcast(rows, k.get(1), k.get(2), k.get(3), k.get(4));
        NDArray prefixValues = values[layer].broadcast(rows, s.get(1), s.get(2), s.get(3), s.get(4));
        return new NDArray[]{NDArrays.concat(new NDList(prefixKeys, keysT), 4),
                NDArrays.concat(new NDList(prefixValues, v), 3)};
    }

    @Override
    public void close() {
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                keys[l].close();
                values[l].close();
            }
        }
    }
}
