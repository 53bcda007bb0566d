package dev.espalier.policy.model;

import java.util.Map;

/**
 * A {@link ProjectionDelta} of the LoRA form, as Java arrays for {@link HostDecoder}: per Hugging Face module path,
 * delta(x) = ((x·Aᵀ)·Bᵀ)·scaling, computed in that order as the engine path does.
 */
public record LowRankDeltas(Map<String, Pair> byModule) {

    /** No delta anywhere: the base model. */
    public static final LowRankDeltas NONE = new LowRankDeltas(Map.of());

    /**
     * @param a       [rank, in] row-major
     * @param b       [out, rank] row-major
     * @param scaling alpha / rank
     */
    public record Pair(float[] a, float[] b, int rank, int in, int out, float scaling) {
        public Pair {
            if (a.length != rank * in || b.length != out * rank) {
                throw new IllegalArgumentException("A must be [" + rank + "," + in + "] and B [" + out + "," + rank
                        + "], got " + a.length + " and " + b.length + " floats");
            }
        }
    }

    public LowRankDeltas {
        byModule = Map.copyOf(byModule);
    }
}
