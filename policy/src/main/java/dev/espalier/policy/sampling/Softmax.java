package dev.espalier.policy.sampling;

import java.util.Arrays;

/** Host-side softmax helpers over one row of logits ({@code -Infinity} = removed token). */
final class Softmax {

    private Softmax() {
    }

    static double[] probabilities(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = logits[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Token ids ordered by logit, largest first; equal logits by lower id first. */
    static int[] descending(float[] logits) {
        long[] keyed = new long[logits.length];
        for (int i = 0; i < logits.length; i++) {
            keyed[i] = ((long) sortableBits(-logits[i]) << 32) | i;
        }
        Arrays.sort(keyed);
        int[] order = new int[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = (int) keyed[i];
        }
        return order;
    }

    /** Maps a float to an int whose signed order matches the float order. */
    private static int sortableBits(float f) {
        int bits = Float.floatToIntBits(f);
        return bits >= 0 ? bits : bits ^ 0x7fffffff;
    }
}
