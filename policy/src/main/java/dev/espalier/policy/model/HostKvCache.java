package dev.espalier.policy.model;

/**
 * Keys and values of every layer on the Java heap for {@link HostDecoder}, taken over from a prefilled
 * {@link KvCache} once. Keys are transposed, [B,KV,D,S], so that scoring a query against all slots is a sum of
 * lane-wise multiply-adds over D; values are [B,KV,S,D]. The slots' real/position bookkeeping stays in the KvCache.
 */
final class HostKvCache {

    private final float[][] keys;   // [layer][B·KV·D·S]
    private final float[][] values; // [layer][B·KV·S·D]
    private final int capacity;
    private final int headDim;
    private final int kvHeads;

    HostKvCache(KvCache prefilled, ModelConfig config) {
        this.capacity = prefilled.capacity();
        this.headDim = config.headDim();
        this.kvHeads = config.numKvHeads();
        this.keys = new float[config.numLayers()][];
        this.values = new float[config.numLayers()][];
        for (int l = 0; l < keys.length; l++) {
            // The engine's layouts [B,KV,1,D,S] and [B,KV,1,S,D] are these, element for element.
            keys[l] = prefilled.keys(l).toFloatArray();
            values[l] = prefilled.values(l).toFloatArray();
        }
    }

    int capacity() {
        return capacity;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Offset of key row d of (row b, head h) in {@link #keys}: slots follow contiguously. */
    int keyRow(int b, int h, int d) {
        return ((b * kvHeads + h) * headDim + d) * capacity;
    }

    /** Offset of slot s of (row b, head h) in {@link #values}: D floats follow. */
    int valueSlot(int b, int h, int s) {
        return ((b * kvHeads + h) * capacity + s) * headDim;
    }

    /** Writes one slot's key and value of (row b, head h), each D floats from the given offsets. */
    void store(int layer, int b, int h, int slot, float[] k, int kOff, float[] v, int vOff) {
        float[] kl = keys[layer];
        int at = keyRow(b, h, 0) + slot;
        for (int d = 0; d < headDim; d++) {
            kl[at + d * capacity] = k[kOff + d];
        }
        System.arraycopy(v, vOff, values[layer], valueSlot(b, h, slot), headDim);
    }
}
