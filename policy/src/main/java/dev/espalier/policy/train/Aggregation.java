package dev.espalier.policy.train;

/** How the GRPO policy term averages token log-probabilities over a group (DESIGN.md §5). */
public enum Aggregation {
    /** (1/G) Σ_i −A_i·(1/L_i) Σ_t logp: every completion weighs the same whatever its length (default). */
    SEQ_MEAN("seq-mean"),
    /** (1/G) Σ_i −A_i·Σ_t logp: longer completions weigh more (what Trellis' code does). */
    SEQ_SUM("seq-sum"),
    /** Σ_i Σ_t −A_i·logp / Σ_i L_i: every token weighs the same. */
    TOKEN_MEAN("token-mean");

    private final String option;

    Aggregation(String option) {
        this.option = option;
    }

    public String option() {
        return option;
    }

    public static Aggregation parse(String option) {
        for (Aggregation a : values()) {
            if (a.option.equals(option)) {
                return a;
            }
        }
        throw new IllegalArgumentException("--aggregation must be seq-mean, seq-sum or token-mean, got '" + option + "'");
    }
}
