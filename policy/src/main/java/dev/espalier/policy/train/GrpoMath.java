package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;

/**
 * The GRPO objective of DESIGN.md §5 as small functions. Legend: G rollouts, L the longest completion;
 * S_i = Σ_t logp_{i,t} and R_i = Σ_t ref_{i,t} are per-rollout sums over completion tokens only.
 */
public final class GrpoMath {

    /** Added to the std so "all rewards equal" cannot divide by zero (DESIGN.md §5). */
    static final double STD_EPS = 1e-8;

    private GrpoMath() {
    }

    /**
     * r_i = 1 for the pick, 0 otherwise; A_i = (r_i − mean r) / (population std r + 1e-8). For G = 4: +1.732 for the
     * pick, −0.577 for the others. "None" gives A_i = −1 for every i: normalising equal rewards would give all zeros
     * and the step would teach nothing, while "none of these" should push every rollout down.
     */
    public static double[] advantages(int choice, int groupSize) {
        double[] a = new double[groupSize];
        if (choice == StepCase.NONE) {
            java.util.Arrays.fill(a, -1.0);
            return a;
        }
        double mean = 1.0 / groupSize;
        double std = Math.sqrt(mean * (1 - mean)); // population std of one 1 among G-1 zeros
        for (int i = 0; i < groupSize; i++) {
            a[i] = ((i == choice ? 1.0 : 0.0) - mean) / (std + STD_EPS);
        }
        return a;
    }

    /**
     * The policy term P. seqLogp S [G], lengths L [G] (float), advantages A [G].
     * seq-mean: (1/G) Σ −A_i S_i / L_i; seq-sum: (1/G) Σ −A_i S_i; token-mean: Σ −A_i S_i / Σ L_i.
     */
    public static NDArray policyTerm(NDArray seqLogp, NDArray lengths, NDArray advantages, Aggregation aggregation) {
        NDArray weighted = seqLogp.mul(advantages).neg(); // [G]
        return switch (aggregation) {
            case SEQ_MEAN -> weighted.div(lengths).mean();
            case SEQ_SUM -> weighted.mean();
            case TOKEN_MEAN -> weighted.sum().div(lengths.sum());
        };
    }

    /** D_i = (1/L_i) Σ_t (logp − ref): how far the adapter moved rollout i's mean token log-probability. [G] */
    public static NDArray drift(NDArray seqLogp, NDArray seqRef, NDArray lengths) {
        return seqLogp.sub(seqRef).div(lengths);
    }

    /** K = (1/G) Σ_i D_i²: a squared-drift penalty that is zero and flat while the adapter is the identity. */
    public static NDArray klTerm(NDArray drift) {
        return drift.square().mean();
    }
}
