package dev.espalier.policy.sampling;

import java.util.Arrays;

/**
 * One step of shaping a row of next-token logits before a draw, applied in place. Removed tokens become
 * {@code -Infinity}. The pieces and their order follow transformers' logits warpers: temperature, top-k, top-p, min-p.
 */
@FunctionalInterface
public interface LogitsFilter {

    void apply(float[] logits);

    /** Divides every logit by t > 0. */
    static LogitsFilter temperature(double t) {
        float inv = (float) (1.0 / t);
        return logits -> {
            for (int i = 0; i < logits.length; i++) {
                logits[i] *= inv;
            }
        };
    }

    /** Keeps the k largest logits (and any tied with the k-th, as transformers does). */
    static LogitsFilter topK(int k) {
        return logits -> {
            if (k >= logits.length) {
                return;
            }
            float[] sorted = logits.clone();
            Arrays.sort(sorted);
            float kth = sorted[sorted.length - k];
            for (int i = 0; i < logits.length; i++) {
                if (logits[i] < kth) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        };
    }

    /**
     * Nucleus filtering: walking down from the most likely token, keeps tokens until their probabilities add up to
     * p; the token that crosses p is kept, so at least one always survives.
     */
    static LogitsFilter topP(double p) {
        return logits -> {
            double[] probs = Softmax.probabilities(logits);
            int[] order = Softmax.descending(logits);
            double cumulative = 0;
            int keep = 0;
            while (keep < order.length && cumulative < p) {
                cumulative += probs[order[keep]];
                keep++;
            }
            for (int i = Math.max(keep, 1); i < order.length; i++) {
                logits[order[i]] = Float.NEGATIVE_INFINITY;
            }
        };
    }

    /** Drops tokens whose probability is below minP × the highest probability (Nguyen et al. 2024, min-p). */
    static LogitsFilter minP(double minP) {
        return logits -> {
            double[] probs = Softmax.probabilities(logits);
            double top = 0;
            for (double q : probs) {
                top = Math.max(top, q);
            }
            double threshold = minP * top;
            for (int i = 0; i < logits.length; i++) {
                if (probs[i] < threshold) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        };
    }
}
