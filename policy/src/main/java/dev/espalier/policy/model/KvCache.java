package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The run state of one generation: keys and values of every layer, preallocated for the whole generation so a
 * decode step writes in place instead of growing arrays, plus the host-side bookkeeping of which slots hold real
 * tokens and at which position. Keys are stored transposed, [B,KV,1,D,S], and values as [B,KV,1,S,D]: the
 * layouts attention multiplies with directly (the 1 broadcasts over the query heads of a group).
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

    KvCache(ModelConfig config, NDManager parent, int batch, int capacity, DataType type) {
        this.manager = parent.newSubManager();
        this.batch = batch;
        this.capacity = capacity;
        this.keys = new NDArray[config.numLayers()];
        this.values = new NDArray[config.numLayers()];
        Shape keyShape = new Shape(batch, config.numKvHeads(), 1, config.headDim(), capacity);
        Shape valueShape = new Shape(batch, config.numKvHeads(), 1, capacity, config.headDim());
        for (int l = 0; l < keys.length; l++) {
            keys[l] = manager.zeros(keyShape, type);
            values[l] = manager.zeros(valueShape, type);
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

    /** Records T new slots per row: whether each is a real token, and its position. */
    void append(boolean[][] newReal, int time) {
        if (length + time > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + time + " > " + capacity);
        }
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int s = length + t;
                real[b][s] = newReal[b][t];
                position[b][s] = Math.max(realCount[b] - (newReal[b][t] ? 0 : 1), 0);
                if (newReal[b][t]) {
                    realCount[b]++;
                }
            }
        }
        length += time;
    }

    /** [B][capacity]: which slots hold real tokens (read-only view for building masks). */
    boolean[][] realSlots() {
        return real;
    }

    /** [B][capacity]: the position of each slot. */
    long[][] slotPositions() {
        return position;
    }

    /** A layer's keys, [B,KV,1,D,S]. */
    NDArray keys(int layer) {
        return keys[layer];
    }

    /** A layer's values, [B,KV,1,S,D]. */
    NDArray values(int layer) {
        return values[layer];
    }

    /**
     * Writes a layer's new keys kᵀ [B,KV,D,T] and values v [B,KV,T,D] into the context's slots; returns the layer's
     * whole key and value arrays, [B,KV,1,D,S] and [B,KV,1,S,D].
     */
    NDArray[] store(int layer, NDArray keysT, NDArray v, AttentionContext ctx) {
        keys[layer].set(ctx.keySlots(), keysT);
        values[layer].set(ctx.valueSlots(), v);
        return new NDArray[]{keys[layer], values[layer]};
    }

    @Override
    public void close() {
        manager.close();
    }
}
