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
        double[] probs = Softmax.probabilities(shaped);
        double u = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] > 0) {
                cumulative += probs[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // u fell into the rounding gap below 1.0
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
