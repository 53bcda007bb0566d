package dev.espalier.policy.train;

/**
 * The hyper-parameters of a step (DESIGN.md §1 defaults). They may change between steps of a session; the trainer
 * journals them with each step's inputs so replay uses the same ones.
 *
 * @param objective    grpo (default) or dpo
 * @param aggregation  how the GRPO policy term averages tokens
 * @param learningRate AdamW lr
 * @param klBeta       β of the drift term β·K (GRPO)
 * @param weightDecay  AdamW decoupled weight decay
 * @param maxGradNorm  global L2 clip of the LoRA gradients; 0 turns clipping off
 * @param dpoBeta      β of the DPO objective
 */
public record StepSettings(Objective objective, Aggregation aggregation, double learningRate, double klBeta,
                           double weightDecay, double maxGradNorm, double dpoBeta) {

    public static final StepSettings DEFAULTS =
            new StepSettings(Objective.GRPO, Aggregation.SEQ_MEAN, 2e-5, 0.03, 0.0, 1.0, 0.1);

    public StepSettings {
        requireFinite(learningRate, "lr", true);
        requireFinite(klBeta, "kl-beta", false);
        requireFinite(weightDecay, "weight-decay", false);
        requireFinite(maxGradNorm, "max-grad-norm", false);
        requireFinite(dpoBeta, "dpo-beta", true);
    }

    private static void requireFinite(double value, String name, boolean positive) {
        if (!Double.isFinite(value) || value < 0 || (positive && value == 0)) {
            throw new IllegalArgumentException("--" + name + " must be a finite number " + (positive ? "> 0" : ">= 0")
                    + ", got " + value);
        }
    }

    public StepSettings withObjective(Objective o) {
        return new StepSettings(o, aggregation, learningRate, klBeta, weightDecay, maxGradNorm, dpoBeta);
    }

    public StepSettings withLearningRate(double lr) {
        return new StepSettings(objective, aggregation, lr, klBeta, weightDecay, maxGradNorm, dpoBeta);
    }
}
