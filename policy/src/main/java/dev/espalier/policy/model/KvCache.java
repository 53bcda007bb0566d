package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The run state of one generation: keys and values of every layer, preallocated for the whole generation
 * ([B, KV heads, capacity, D] each) so a decode step writes in place instead of growing arrays, plus the host-side
 * bookkeeping of which slots hold real tokens and at which position.
 *
 * <p>Slot s of row b is the s-th token fed for that row (padding included); its position is the number of real
 * tokens before it, so a left-padded prompt gets the same positions as the unpadded one.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int batch;
    private final int capacity;
    private final boolean[][] real;  // [B][capacity]
    private final long[][] position; // [B][capacity]
    private final int[] realCount;   // [B]
    private int length;

    KvCache(ModelConfig config, NDManager parent, int batch, int capacity) {
        this.manager = parent.newSubManager();
        this.batch = batch;
        this.capacity = capacity;
        this.keys = new NDArray[config.numLayers()];
        this.values = new NDArray[config.numLayers()];
        Shape shape = new Shape(batch, config.numKvHeads(), capacity, config.headDim());
        for (int l = 0; l < keys.length; l++) {
            keys[l] = manager.zeros(shape, DataType.FLOAT32);
            values[l] = manager.zeros(shape, DataType.FLOAT32);
        }
        this.real = new boolean[batch][capacity];
        this.position = new long[batch][capacity];
        this.realCount = new int[batch];
    }

    public int batch() {
        return batch;
    }

    public int capacity() {
        return capacity;
    }

    /** Slots filled so far (the same for every row). */
    public int length() {
        return length;
    }

    /** Real (non-padding) tokens of a row so far: the position its next token will get. */
    public int realTokens(int row) {
        return realCount[row];
    }

    /** Records T new slots per row and returns their positions, [B*T] row-major. */
    long[] append(boolean[][] newReal, int time) {
        if (length + time > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + time + " > " + capacity);
        }
        long[] positions = new long[batch * time];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int s = length + t;
                real[b][s] = newReal[b][t];
                position[b][s] = Math.max(realCount[b] - (newReal[b][t] ? 0 : 1), 0);
                positions[b * time + t] = position[b][s];
                if (newReal[b][t]) {
                    realCount[b]++;
                }
            }
        }
        length += time;
        return positions;
    }

    boolean isReal(int row, int slot) {
        return real[row][slot];
    }

    long positionOf(int row, int slot) {
        return position[row][slot];
    }

    /** Writes k, v [B,KV,T,D] into slots [from, from+T) of a layer; returns that layer's keys and values so far. */
    NDArray[] store(int layer, NDArray k, NDArray v, int from) {
        int to = from + (int) k.getShape().get(2);
        NDIndex slots = new NDIndex(":, :, {}:{}", from, to);
        keys[layer].set(slots, k);
        values[layer].set(slots, v);
        NDIndex filled = new NDIndex(":, :, :{}", to);
        return new NDArray[]{keys[layer].get(filled), values[layer].get(filled)}; // [B,KV,S,D] each
    }

    @Override
    public void close() {
        manager.close();
    }
}
