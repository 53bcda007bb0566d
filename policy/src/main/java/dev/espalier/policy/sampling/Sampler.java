package dev.espalier.policy.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Draws the next token of one row from its logits: the configured {@link LogitsFilter}s, then an inverse-CDF draw
 * with the row's own seeded generator (so a row's tokens depend only on its seed, not on what else is in the
 * batch). Temperature 0 is greedy: the first token with the highest logit, like torch.argmax.
 */
public final class Sampler {

    private final boolean greedy;
    private final List<LogitsFilter> filters = new ArrayList<>();

    public Sampler(SamplingParams params) {
        this.greedy = params.greedy();
        if (!greedy) {
            filters.add(LogitsFilter.temperature(params.temperature()));
            if (params.topK() > 0) {
                filters.add(LogitsFilter.topK(params.topK()));
            }
            if (params.topP() < 1) {
                filters.add(LogitsFilter.topP(params.topP()));
            }
            if (params.minP() > 0) {
                filters.add(LogitsFilter.minP(params.minP()));
            }
        }
    }

    /** @param logits one row of logits (or log-probabilities: same result); left unchanged */
    public int sample(float[] logits, RandomGenerator random) {
        if (greedy) {
            return argmax(logits);
        }
        float[] shaped = logits.clone();
        for (LogitsFilter filter : filters) {
            filter.apply(shaped);
        }
        return draw(shaped, random.nextDouble());
    }

    /** Inverse CDF over the surviving tokens; exponentials only for those (a handful after min-p). */
    private static int draw(float[] logits, double u) {
        float max = logits[argmax(logits)];
        double total = 0;
        for (float l : logits) {
            if (l != Float.NEGATIVE_INFINITY) {
                total += Math.exp(l - max);
            }
        }
        double target = u * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] != Float.NEGATIVE_INFINITY) {
                cumulative += Math.exp(logits[i] - max);
                last = i;
                if (target < cumulative) {
                    return i;
                }
            }
        }
        return last; // target fell into the rounding gap at the very end
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
