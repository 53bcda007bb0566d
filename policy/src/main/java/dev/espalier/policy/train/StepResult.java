package dev.espalier.policy.train;

/**
 * What one step did (StepApplied metrics, DESIGN.md §3).
 *
 * @param loss        P + β·K (GRPO) or the DPO loss, before the update
 * @param policyTerm  P (GRPO) or the DPO loss
 * @param klTerm      K = mean_i D_i²
 * @param gradNorm    global L2 norm of the LoRA gradients before clipping
 * @param advantages  A_i (GRPO), empty for DPO
 * @param drift       D_i per rollout
 * @param step        the optimizer's step count after this update
 */
public record StepResult(double loss, double policyTerm, double klTerm, double gradNorm, double[] advantages,
                         double[] drift, long step) {
}
