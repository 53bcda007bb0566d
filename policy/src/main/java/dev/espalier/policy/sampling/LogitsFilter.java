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

    /**
     * Drops tokens whose probability is below minP × the highest probability (min-p sampling, Nguyen et al. 2024).
     * Compared in log space, p_i < minP·p_max ⇔ l_i < l_max + ln(minP), so no exponentials are needed.
     */
    static LogitsFilter minP(double minP) {
        double logMinP = Math.log(minP);
        return logits -> {
            float max = Float.NEGATIVE_INFINITY;
            for (float l : logits) {
                max = Math.max(max, l);
            }
            double threshold = max + logMinP;
            for (int i = 0; i < logits.length; i++) {
                if (logits[i] < threshold) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        };
    }
}
