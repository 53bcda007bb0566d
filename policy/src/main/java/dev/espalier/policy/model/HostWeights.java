package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;

/**
 * The model's weights copied once into Java float arrays for {@link HostDecoder}, fused exactly as the engine path
 * fuses them (q/k/v, gate/up). Copies rather than views of the mapped file: the project compiles for Java 21, where
 * the Vector API can read only arrays without preview features (MemorySegment is final from Java 22), so the host
 * path costs the weights' size once more in heap. Projections are stored in {@link MatVec#panels} layout; a tied
 * embedding is read from the head's panels rather than copied twice.
 */
final class HostWeights {

    /**
     * One projection y = x·Wᵀ + b, possibly several Hugging Face modules side by side.
     *
     * @param modulePaths the modules, in output order
     * @param starts      where each module's outputs start, plus the total width at the end
     * @param panels      W [out, in] in {@link MatVec#panels} layout
     * @param bias        [out] or null
     */
    record Linear(String[] modulePaths, int[] starts, float[] panels, float[] bias, int in, int out) {

        static Linear of(Projection p) {
            int[] widths = p.outWidths();
            int[] starts = new int[widths.length + 1];
            for (int i = 0; i < widths.length; i++) {
                starts[i + 1] = starts[i] + widths[i];
            }
            long[] shape = p.weight().getShape().getShape();
            int out = (int) shape[0];
            int in = (int) shape[1];
            return new Linear(p.modulePaths(), starts, MatVec.panels(p.weight().toFloatArray(), out, in),
                    p.bias() == null ? null : p.bias().toFloatArray(), in, out);
        }
    }

    /** One decoder block; qkNorm is Qwen3's [H+KV, D] q/k norm weight, else null. */
    record Layer(float[] attentionNorm, Linear qkv, float[] qkNorm, Linear output, float[] mlpNorm, Linear gateUp,
                 Linear down) {
    }

    private final float[] embedding; // [V, C] row-major, null when tied (rows are read from the head's panels)
    private final int channels;
    final float[] head;      // [V, C] in panels
    final float[] finalNorm; // [C]
    final float[] inverseFrequencies; // [D/2]
    final Layer[] layers;

    /** Copies the embedding of {@code token} into out[0, C). */
    void embed(int token, float[] out) {
        if (embedding != null) {
            System.arraycopy(embedding, token * channels, out, 0, channels);
            return;
        }
        int at = (token / MatVec.PANEL) * channels * MatVec.PANEL + token % MatVec.PANEL;
        for (int c = 0; c < channels; c++) {
            out[c] = head[at + c * MatVec.PANEL];
        }
    }

    HostWeights(NDArray embedding, NDArray head, RmsNorm finalNorm, Block[] blocks, Rotary rotary) {
        long[] shape = head.getShape().getShape();
        this.channels = (int) shape[1];
        this.head = MatVec.panels(head.toFloatArray(), (int) shape[0], channels);
        this.embedding = head == embedding ? null : embedding.toFloatArray();
        this.finalNorm = finalNorm.weight().toFloatArray();
        this.inverseFrequencies = rotary.inverseFrequencies();
        this.layers = new Layer[blocks.length];
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            Attention a = b.attention();
            layers[l] = new Layer(b.attentionNorm().weight().toFloatArray(), Linear.of(a.qkv()),
                    a.qkNorm() == null ? null : a.qkNorm().weight().toFloatArray(), Linear.of(a.output()),
                    b.mlpNorm().weight().toFloatArray(), Linear.of(b.mlp().gateUp()), Linear.of(b.mlp().down()));
        }
    }
}
