package dev.espalier.policy.model;

/**
 * Keys and values of every layer on the Java heap for {@link HostDecoder}, taken over from a prefilled
 * {@link KvCache} once. Keys are stored in blocks of {@link AttentionKernels#SLOTS_PER_BLOCK} slots, channel-major
 * within a block, [B,KV,S/T,D,T]: scoring a query against a block is D lane-wise multiply-adds over one contiguous
 * run of memory (the cache is larger than the CPU caches, and D separate rows of slots read far slower). Values are
 * [B,KV,S,D]. The slots' real/position bookkeeping stays in the KvCache.
 */
final class HostKvCache {

    private final float[][] keys;   // [layer][B·KV·(S/T)·D·T]
    private final float[][] values; // [layer][B·KV·S·D]
    private final int capacity;
    private final int blocks;
    private final int headDim;
    private final int kvHeads;

    HostKvCache(KvCache prefilled, ModelConfig config) {
        this.capacity = prefilled.capacity();
        this.headDim = config.headDim();
        this.kvHeads = config.numKvHeads();
        int t = AttentionKernels.SLOTS_PER_BLOCK;
        this.blocks = (capacity + t - 1) / t;
        int batch = prefilled.batch();
        this.keys = new float[config.numLayers()][];
        this.values = new float[config.numLayers()][];
        for (int l = 0; l < keys.length; l++) {
            // The engine's layouts are [B,KV,1,D,S] (keys) and [B,KV,1,S,D] (values).
            float[] engineKeys = prefilled.keys(l).toFloatArray();
            float[] k = new float[batch * kvHeads * blocks * headDim * t];
            for (int bh = 0; bh < batch * kvHeads; bh++) {
                for (int d = 0; d < headDim; d++) {
                    for (int s = 0; s < capacity; s++) {
                        k[keyAt(bh, d, s)] = engineKeys[(bh * headDim + d) * capacity + s];
                    }
                }
            }
            keys[l] = k;
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

    /** Offset of the first key block of (row b, head h) in {@link #keys}: the blocks follow contiguously. */
    int keyBlocks(int b, int h) {
        return (b * kvHeads + h) * blocks * headDim * AttentionKernels.SLOTS_PER_BLOCK;
    }

    /** Offset of slot s of (row b, head h) in {@link #values}: D floats follow. */
    int valueSlot(int b, int h, int s) {
        return ((b * kvHeads + h) * capacity + s) * headDim;
    }

    /** Writes one slot's key and value of (row b, head h), each D floats from the given offsets. */
    void store(int layer, int b, int h, int slot, float[] k, int kOff, float[] v, int vOff) {
        float[] kl = keys[layer];
        int bh = b * kvHeads + h;
        for (int d = 0; d < headDim; d++) {
            kl[keyAt(bh, d, slot)] = k[kOff + d];
        }
        System.arraycopy(v, vOff, values[layer], valueSlot(b, h, slot), headDim);
    }

    private int keyAt(int rowHead, int d, int s) {
        int t = AttentionKernels.SLOTS_PER_BLOCK;
        return ((rowHead * blocks + s / t) * headDim + d) * t + s % t;
    }
}
