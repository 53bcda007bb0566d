package dev.espalier.policy.sampling;

/**
 * How the next token is drawn. Each check names the command-line argument it guards.
 *
 * @param temperature divides the logits; 0 means greedy (argmax)
 * @param topK        keep the k most likely tokens; 0 = off
 * @param topP        keep the smallest set of most likely tokens whose probability reaches topP; 1 = off
 * @param minP        drop tokens less likely than minP × the most likely token's probability; 0 = off
 */
public record SamplingParams(double temperature, int topK, double topP, double minP) {

    public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, 0);

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("--min-p must be in [0, 1], got " + minP);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
