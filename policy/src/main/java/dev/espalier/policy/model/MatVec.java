package dev.espalier.policy.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels of {@link HostDecoder}, with the Vector API. A decode step of a small batch is memory-bound: every
 * weight is read once per step and used by only a few rows. The weights are therefore stored in panels of
 * {@link #PANEL} output rows, input-major within a panel ({@link #panels}), so that the kernel reads them as one
 * sequential stream and accumulates {@code PANEL} outputs lane-wise: y[o..o+PANEL) += W[o..o+PANEL)[i]·x[i] for each
 * input i in turn. No output needs a horizontal sum across lanes.
 *
 * <p>Determinism: each output is the sequence of fused multiply-adds over i = 0, 1, …, in − 1, whichever rows are in
 * the batch, however the outputs are split over threads, whether a lane or the scalar tail computes it, interpreted
 * or compiled. So a row's result never depends on the rest of the batch.
 */
final class MatVec {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output rows per panel: two vectors, two independent accumulator chains per activation row. */
    static final int PANEL = 2 * L;
    /**
     * Inputs per pass over the activation rows: a panel's chunk (CHUNK·PANEL floats) stays in L1 while every row uses
     * it, and the accumulators go through y between chunks (exact: a float store and load change nothing).
     */
    private static final int CHUNK = 64;

    private MatVec() {
    }

    /** W [out, in] row-major, rearranged into panels: element (o, i) at ((o / PANEL)·in + i)·PANEL + o % PANEL. */
    static float[] panels(float[] w, int out, int in) {
        int blocks = (out + PANEL - 1) / PANEL;
        float[] p = new float[Math.multiplyExact(blocks * PANEL, in)];
        for (int o = 0; o < out; o++) {
            int at = (o / PANEL) * in * PANEL + o % PANEL;
            for (int i = 0; i < in; i++) {
                p[at + i * PANEL] = w[o * in + i];
            }
        }
        return p;
    }

    /**
     * y[m][o] = Σ_i x[m][i]·W[o][i] for output rows o in [from, to) and activation rows m in [0, rows).
     *
     * @param panels W as {@link #panels} lays it out
     * @param from   a multiple of {@link #PANEL}
     * @param x      [rows][≥ in]
     * @param y      [rows][≥ to]
     */
    static void multiply(float[] panels, int in, int from, int to, float[][] x, int rows, float[][] y) {
        int o = from;
        for (; o + PANEL <= to; o += PANEL) {
            int base = (o / PANEL) * in * PANEL;
            for (int c = 0; c < in; c += CHUNK) {
                int end = Math.min(in, c + CHUNK);
                int m = 0;
                if (rows % 4 == 1 && rows >= 5) {
                    // N completions + the control prompt: five rows per weight load, not four and then one.
                    chunk5(panels, base, o, c, end, x, y, m);
                    m += 5;
                }
                for (; m + 4 <= rows; m += 4) {
                    chunk4(panels, base, o, c, end, x, y, m);
                }
                for (; m < rows; m++) {
                    chunk1(panels, base, o, c, end, x[m], y[m]);
                }
            }
        }
        if (o < to) {
            // The last, partial panel: the same multiply-adds in the same order, one output at a time.
            int base = (o / PANEL) * in * PANEL;
            for (int k = o; k < to; k++) {
                for (int m = 0; m < rows; m++) {
                    float[] xm = x[m];
                    float acc = 0;
                    for (int i = 0; i < in; i++) {
                        acc = Math.fma(panels[base + i * PANEL + (k - o)], xm[i], acc);
                    }
                    y[m][k] = acc;
                }
            }
        }
    }

    /** One activation row: y[o..o+PANEL) += Σ_{i in [c, end)} W[o..o+PANEL)[i]·x[i], from zero when c = 0. */
    private static void chunk1(float[] panels, int base, int o, int c, int end, float[] x, float[] y) {
        FloatVector a0 = c == 0 ? FloatVector.zero(S) : FloatVector.fromArray(S, y, o);
        FloatVector a1 = c == 0 ? FloatVector.zero(S) : FloatVector.fromArray(S, y, o + L);
        for (int i = c; i < end; i++) {
            FloatVector xi = FloatVector.broadcast(S, x[i]);
            int at = base + i * PANEL;
            a0 = FloatVector.fromArray(S, panels, at).fma(xi, a0);
            a1 = FloatVector.fromArray(S, panels, at + L).fma(xi, a1);
        }
        a0.intoArray(y, o);
        a1.intoArray(y, o + L);
    }

    /** {@link #chunk1} for rows m..m+3 at once: each weight vector loaded once serves four rows. */
    private static void chunk4(float[] panels, int base, int o, int c, int end, float[][] x, float[][] y, int m) {
        float[] x0 = x[m], x1 = x[m + 1], x2 = x[m + 2], x3 = x[m + 3];
        float[] y0 = y[m], y1 = y[m + 1], y2 = y[m + 2], y3 = y[m + 3];
        boolean first = c == 0;
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = first ? zero : FloatVector.fromArray(S, y0, o), b0 = first ? zero : FloatVector.fromArray(S, y0, o + L);
        FloatVector a1 = first ? zero : FloatVector.fromArray(S, y1, o), b1 = first ? zero : FloatVector.fromArray(S, y1, o + L);
        FloatVector a2 = first ? zero : FloatVector.fromArray(S, y2, o), b2 = first ? zero : FloatVector.fromArray(S, y2, o + L);
        FloatVector a3 = first ? zero : FloatVector.fromArray(S, y3, o), b3 = first ? zero : FloatVector.fromArray(S, y3, o + L);
        for (int i = c; i < end; i++) {
            int at = base + i * PANEL;
            FloatVector w0 = FloatVector.fromArray(S, panels, at);
            FloatVector w1 = FloatVector.fromArray(S, panels, at + L);
            FloatVector xi = FloatVector.broadcast(S, x0[i]);
            a0 = w0.fma(xi, a0);
            b0 = w1.fma(xi, b0);
            xi = FloatVector.broadcast(S, x1[i]);
            a1 = w0.fma(xi, a1);
            b1 = w1.fma(xi, b1);
            xi = FloatVector.broadcast(S, x2[i]);
            a2 = w0.fma(xi, a2);
            b2 = w1.fma(xi, b2);
            xi = FloatVector.broadcast(S, x3[i]);
            a3 = w0.fma(xi, a3);
            b3 = w1.fma(xi, b3);
        }
        a0.intoArray(y0, o);
        b0.intoArray(y0, o + L);
        a1.intoArray(y1, o);
        b1.intoArray(y1, o + L);
        a2.intoArray(y2, o);
        b2.intoArray(y2, o + L);
        a3.intoArray(y3, o);
        b3.intoArray(y3, o + L);
    }

    /** {@link #chunk4} with a fifth row: 10 accumulators, still within the vector registers. */
    private static void chunk5(float[] panels, int base, int o, int c, int end, float[][] x, float[][] y, int m) {
        float[] x0 = x[m], x1 = x[m + 1], x2 = x[m + 2], x3 = x[m + 3], x4 = x[m + 4];
        float[] y0 = y[m], y1 = y[m + 1], y2 = y[m + 2], y3 = y[m + 3], y4 = y[m + 4];
        boolean first = c == 0;
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = first ? zero : FloatVector.fromArray(S, y0, o), b0 = first ? zero : FloatVector.fromArray(S, y0, o + L);
        FloatVector a1 = first ? zero : FloatVector.fromArray(S, y1, o), b1 = first ? zero : FloatVector.fromArray(S, y1, o + L);
        FloatVector a2 = first ? zero : FloatVector.fromArray(S, y2, o), b2 = first ? zero : FloatVector.fromArray(S, y2, o + L);
        FloatVector a3 = first ? zero : FloatVector.fromArray(S, y3, o), b3 = first ? zero : FloatVector.fromArray(S, y3, o + L);
        FloatVector a4 = first ? zero : FloatVector.fromArray(S, y4, o), b4 = first ? zero : FloatVector.fromArray(S, y4, o + L);
        for (int i = c; i < end; i++) {
            int at = base + i * PANEL;
            FloatVector w0 = FloatVector.fromArray(S, panels, at);
            FloatVector w1 = FloatVector.fromArray(S, panels, at + L);
            FloatVector xi = FloatVector.broadcast(S, x0[i]);
            a0 = w0.fma(xi, a0);
            b0 = w1.fma(xi, b0);
            xi = FloatVector.broadcast(S, x1[i]);
            a1 = w0.fma(xi, a1);
            b1 = w1.fma(xi, b1);
            xi = FloatVector.broadcast(S, x2[i]);
            a2 = w0.fma(xi, a2);
            b2 = w1.fma(xi, b2);
            xi = FloatVector.broadcast(S, x3[i]);
            a3 = w0.fma(xi, a3);
            b3 = w1.fma(xi, b3);
            xi = FloatVector.broadcast(S, x4[i]);
            a4 = w0.fma(xi, a4);
            b4 = w1.fma(xi, b4);
        }
        a0.intoArray(y0, o);
        b0.intoArray(y0, o + L);
        a1.intoArray(y1, o);
        b1.intoArray(y1, o + L);
        a2.intoArray(y2, o);
        b2.intoArray(y2, o + L);
        a3.intoArray(y3, o);
        b3.intoArray(y3, o + L);
        a4.intoArray(y4, o);
        b4.intoArray(y4, o + L);
    }

    /** y[j] += a·x[j] for j < n, lane-wise (so exact and order-free). */
    static void addScaled(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        int bound = S.loopBound(n);
        FloatVector av = FloatVector.broadcast(S, a);
        int j = 0;
        for (; j < bound; j += L) {
            FloatVector.fromArray(S, x, xOff + j).fma(av, FloatVector.fromArray(S, y, yOff + j)).intoArray(y, yOff + j);
        }
        for (; j < n; j++) {
            y[yOff + j] = Math.fma(x[xOff + j], a, y[yOff + j]);
        }
    }
}
