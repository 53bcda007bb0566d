package dev.espalier.policy.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The Vector API kernels of {@link HostDecoder}'s attention, for the query heads that share one KV head: their scores
 * over the cache slots and their probability-weighted sums of the values. The cache does not fit in the CPU caches
 * (SmolLM2-135M, 4 rows: ~35 MB), so each kernel reads its KV head's keys or values once, as contiguous runs of
 * memory, and uses them for every head of the group from L1.
 *
 * <p>Determinism: every score and every output channel is the same chain of fused multiply-adds, from zero, in
 * channel order (scores) or slot order (values), whatever lane computes it; so the results do not depend on the
 * batch, the thread split or the JIT tier.
 */
final class AttentionKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Slots per key block of {@link HostKvCache}: one vector. */
    static final int SLOTS_PER_BLOCK = L;

    private AttentionKernels() {
    }

    /**
     * scores[at + h][t] = Σ_i q[qOff + h·d + i]·k_t[i] for heads h in [0, heads), slots t in [0, n) (and up to the end
     * of the last block), channels i in [0, d) in order; each block's keys are read once from memory and then from L1
     * for the other heads, the block's scores held in a register over all channels.
     *
     * @param keys one KV head's key blocks from base on: block j holds channel i of slot j·T + u at
     *             base + (j·d + i)·T + u, T = {@link #SLOTS_PER_BLOCK}
     */
    static void scores(float[] q, int qOff, int heads, float[] keys, int base, int d, int n, float[][] scores, int at) {
        for (int block = 0; block * L < n; block++) {
            int from = base + block * d * L;
            for (int h = 0; h < heads; h++) {
                int qh = qOff + h * d;
                FloatVector acc = FloatVector.zero(S);
                for (int i = 0; i < d; i++) {
                    acc = FloatVector.fromArray(S, keys, from + i * L).fma(FloatVector.broadcast(S, q[qh + i]), acc);
                }
                acc.intoArray(scores[at + h], block * L);
            }
        }
    }

    /**
     * y[yOff + h·d + j] = Σ_k weights[at + h][slots[k]]·values[base + slots[k]·d + j] for heads h in [0, heads),
     * channels j in [0, d), k in [0, count) in order.
     *
     * @param values one KV head's values, slot-major: slot t's d channels start at base + t·d
     */
    static void mix(float[][] weights, int at, int heads, int[] slots, int count, float[] values, int base, int d,
                    float[] y, int yOff) {
        Arrays.fill(y, yOff, yOff + heads * d, 0f);
        for (int k = 0; k < count; k++) {
            int t = slots[k];
            for (int h = 0; h < heads; h++) {
                MatVec.addScaled(y, yOff + h * d, weights[at + h][t], values, base + t * d, d);
            }
        }
    }
}
