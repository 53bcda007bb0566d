package dev.espalier.policy.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels of {@link HostDecoder}'s attention: a query head's scores over the cache slots and the
 * probability-weighted sum of their values. Each keeps its accumulators in registers for the whole reduction (keys
 * are [D][S] per head, so a vector of slots takes one multiply-add per query channel), where adding one channel or one
 * slot at a time through memory costed a load and a store per multiply-add.
 *
 * <p>Determinism: every score and every output channel is the same chain of fused multiply-adds, from zero, in
 * channel order (scores) or slot order (values), whether a lane or the scalar tail computes it; so the results do
 * not depend on the batch, the thread split or the JIT tier, and equal those of one {@code addScaled} per channel or
 * slot, which this replaced.
 */
final class AttentionKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private AttentionKernels() {
    }

    /**
     * scores[t] = Σ_i q[qOff + i]·keys[base + i·stride + t] for t in [0, n), i in [0, d).
     *
     * @param keys a head's keys transposed: channel i's slots start at base + i·stride
     */
    static void scores(float[] q, int qOff, float[] keys, int base, int stride, int d, int n, float[] scores) {
        int bound = S.loopBound(n);
        int t = 0;
        // Two slot vectors per pass: independent chains, so the multiply-adds' latency overlaps.
        for (; t + 2 * L <= bound; t += 2 * L) {
            FloatVector a = FloatVector.zero(S);
            FloatVector b = FloatVector.zero(S);
            for (int i = 0; i < d; i++) {
                FloatVector qi = FloatVector.broadcast(S, q[qOff + i]);
                int at = base + i * stride + t;
                a = FloatVector.fromArray(S, keys, at).fma(qi, a);
                b = FloatVector.fromArray(S, keys, at + L).fma(qi, b);
            }
            a.intoArray(scores, t);
            b.intoArray(scores, t + L);
        }
        for (; t < bound; t += L) {
            FloatVector a = FloatVector.zero(S);
            for (int i = 0; i < d; i++) {
                a = FloatVector.fromArray(S, keys, base + i * stride + t).fma(FloatVector.broadcast(S, q[qOff + i]), a);
            }
            a.intoArray(scores, t);
        }
        for (; t < n; t++) {
            float acc = 0;
            for (int i = 0; i < d; i++) {
                acc = Math.fma(keys[base + i * stride + t], q[qOff + i], acc);
            }
            scores[t] = acc;
        }
    }

    /**
     * y[yOff + j] = Σ_k weights[slots[k]]·values[base + slots[k]·d + j] for j in [0, d), k in [0, count) in order.
     *
     * @param values a head's values, slot-major: slot t's d channels start at base + t·d
     */
    static void mix(float[] weights, int[] slots, int count, float[] values, int base, int d, float[] y, int yOff) {
        int bound = S.loopBound(d);
        int j = 0;
        for (; j + 2 * L <= bound; j += 2 * L) {
            FloatVector a = FloatVector.zero(S);
            FloatVector b = FloatVector.zero(S);
            for (int k = 0; k < count; k++) {
                int t = slots[k];
                FloatVector w = FloatVector.broadcast(S, weights[t]);
                int at = base + t * d + j;
                a = FloatVector.fromArray(S, values, at).fma(w, a);
                b = FloatVector.fromArray(S, values, at + L).fma(w, b);
            }
            a.intoArray(y, yOff + j);
            b.intoArray(y, yOff + j + L);
        }
        for (; j < bound; j += L) {
            FloatVector a = FloatVector.zero(S);
            for (int k = 0; k < count; k++) {
                int t = slots[k];
                a = FloatVector.fromArray(S, values, base + t * d + j).fma(FloatVector.broadcast(S, weights[t]), a);
            }
            a.intoArray(y, yOff + j);
        }
        for (; j < d; j++) {
            float acc = 0;
            for (int k = 0; k < count; k++) {
                int t = slots[k];
                acc = Math.fma(values[base + t * d + j], weights[t], acc);
            }
            y[yOff + j] = acc;
        }
    }
}
