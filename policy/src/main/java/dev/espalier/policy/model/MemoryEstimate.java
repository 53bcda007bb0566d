package dev.espalier.policy.model;

/**
 * What a generation and a training step hold beyond the loaded weights, estimated from the model's shape, for the
 * check a session's settings pass at creation. Upper estimates, float32 intermediates:
 * <ul>
 *   <li>generation: the KV cache of all rows at full length, the prefill's attention scores, one step's logits;</li>
 *   <li>step: what the graph keeps per layer and token (the inputs of every projection, norms and activations), the
 *   attention scores and probabilities of every row and their gradients, and four arrays the size of one slice of
 *   logits (logits, log-softmax, and their gradients).</li>
 * </ul>
 * The step's terms were set against the peak RSS the step benchmark measures ({@code bench --only grpo}, recorded in
 * bench-results/grpo-step.md): they err on the high side.
 */
public final class MemoryEstimate {

    private static final long FLOAT = Float.BYTES;
    /** Values per token and layer the step's graph keeps, in units of the hidden and the MLP width. */
    private static final int SAVED_PER_HIDDEN = 16;
    private static final int SAVED_PER_INTERMEDIATE = 4;

    private MemoryEstimate() {
    }

    /** Bytes a generation of {@code rows} answers of {@code newTokens} after a {@code promptTokens} prompt needs. */
    public static long generation(ModelConfig c, int rows, int promptTokens, int newTokens) {
        long slots = (long) promptTokens + newTokens;
        long kv = 2L * c.numLayers() * rows * slots * c.kvWidth() * FLOAT;
        long prefillScores = 2L * rows * c.numHeads() * (long) promptTokens * promptTokens * FLOAT;
        long logits = (long) rows * c.vocabSize() * FLOAT * 2;
        return kv + prefillScores + logits;
    }

    /**
     * Bytes a GRPO or DPO step on {@code rows} completions of {@code newTokens} after a {@code promptTokens} prompt
     * needs, its logits held {@code slicePositions} positions at a time (0 = all of them at once).
     */
    public static long step(ModelConfig c, int rows, int promptTokens, int newTokens, int slicePositions) {
        long tokens = promptTokens + (long) rows * newTokens;
        long layers = c.numLayers() * tokens
                * ((long) SAVED_PER_HIDDEN * c.hiddenSize() + (long) SAVED_PER_INTERMEDIATE * c.intermediateSize())
                * FLOAT;
        long keys = (long) promptTokens + newTokens;
        long attention = 3L * c.numLayers() * rows * c.numHeads() * newTokens * keys * FLOAT;
        int slice = slicePositions == 0 ? newTokens : Math.min(slicePositions, newTokens);
        long logits = 4L * rows * slice * c.vocabSize() * FLOAT;
        long hidden = 3L * rows * newTokens * c.hiddenSize() * FLOAT;
        return layers + attention + logits + hidden;
    }
}
