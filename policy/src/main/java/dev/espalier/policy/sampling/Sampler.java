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
    /** Temperature and min-p only (the game's settings): drawn in three passes, without a copy of the row. */
    private final boolean scaledOnly;
    private final float inverseTemperature;
    private final double logMinP;

    public Sampler(SamplingParams params) {
        this.greedy = params.greedy();
        this.scaledOnly = !greedy && params.topK() == 0 && params.topP() == 1;
        this.inverseTemperature = greedy ? 1 : (float) (1.0 / params.temperature()); // as LogitsFilter.temperature
        this.logMinP = params.minP() > 0 ? Math.log(params.minP()) : Double.NEGATIVE_INFINITY;
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
        if (scaledOnly) {
            int token = drawScaled(logits, random);
            if (token != NO_TOKEN) {
                return token;
            }
        }
        float[] shaped = logits.clone();
        for (LogitsFilter filter : filters) {
            filter.apply(shaped);
        }
        return draw(shaped, random.nextDouble());
    }

    private static final int NO_TOKEN = -2;

    /**
     * The same draw as the filter chain for temperature and min-p, with each shaped logit s = l·(1/T) recomputed in
     * every pass instead of written to a copy: pass 1 takes the maximum (min-p's, which is also the draw's, since the
     * maximum always survives), pass 2 the total over the survivors (s ≠ −∞ and not below max + ln min-p), pass 3
     * walks them to the draw. Same float and double operations in the same order, so the same token for every seed.
     * A NaN logit gives {@link #NO_TOKEN} before the generator is used, and the filter chain decides as before.
     */
    private int drawScaled(float[] logits, RandomGenerator random) {
        float inv = inverseTemperature;
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l * inv);
        }
        if (Float.isNaN(max)) {
            return NO_TOKEN;
        }
        double threshold = max + logMinP; // −∞ without min-p: every finite logit survives
        double total = 0;
        for (float l : logits) {
            float s = l * inv;
            if (s != Float.NEGATIVE_INFINITY && !(s < threshold)) {
                total += Math.exp(s - max);
            }
        }
        double target = random.nextDouble() * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < logits.length; i++) {
            float s = logits[i] * inv;
            if (s != Float.NEGATIVE_INFINITY && !(s < threshold)) {
                cumulative += Math.exp(s - max);
                last = i;
                if (target < cumulative) {
                    return i;
                }
            }
        }
        return last; // as draw: target fell into the rounding gap at the very end
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
