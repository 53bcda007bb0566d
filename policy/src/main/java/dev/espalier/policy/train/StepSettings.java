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
 * @param logitChunkBytes the most bytes of float32 logits the step holds at once: a batch whose [G,L,V] logits are
 *                     larger is scored a slice of positions at a time ({@link PolicyStep}); 0 = always all at once,
 *                     as steps journaled before the slicing were made (a journal without the field reads as 0, so
 *                     they replay as they were made)
 */
public record StepSettings(Objective objective, Aggregation aggregation, double learningRate, double klBeta,
                           double weightDecay, double maxGradNorm, double dpoBeta, long logitChunkBytes) {

    public static final StepSettings DEFAULTS =
            new StepSettings(Objective.GRPO, Aggregation.SEQ_MEAN, 2e-5, 0.03, 0.0, 1.0, 0.1, 0);

    /** A step's logits in slices of at most 256 MiB: what the trainer-service uses unless configured otherwise. */
    public static final long DEFAULT_LOGIT_CHUNK_BYTES = 256L << 20;

    /** Settings that score every batch all at once. */
    public StepSettings(Objective objective, Aggregation aggregation, double learningRate, double klBeta,
                        double weightDecay, double maxGradNorm, double dpoBeta) {
        this(objective, aggregation, learningRate, klBeta, weightDecay, maxGradNorm, dpoBeta, 0);
    }

    public StepSettings {
        requireFinite(learningRate, "lr", true);
        requireFinite(klBeta, "kl-beta", false);
        requireFinite(weightDecay, "weight-decay", false);
        requireFinite(maxGradNorm, "max-grad-norm", false);
        requireFinite(dpoBeta, "dpo-beta", true);
        if (logitChunkBytes < 0) {
            throw new IllegalArgumentException("the logit chunk must be >= 0 bytes (0 = no slicing), got "
                    + logitChunkBytes);
        }
    }

    /**
     * How many positions of each of the {@code rows} a slice of the logits holds, or 0 when all {@code positions} fit
     * in {@link #logitChunkBytes} at once (or slicing is off): then the step scores them in one piece.
     */
    public int chunkPositions(int rows, int positions, int vocabulary) {
        long rowBytes = (long) vocabulary * Float.BYTES * rows;
        if (logitChunkBytes == 0 || rowBytes * positions <= logitChunkBytes) {
            return 0;
        }
        return (int) Math.max(1, logitChunkBytes / rowBytes);
    }

    private static void requireFinite(double value, String name, boolean positive) {
        if (!Double.isFinite(value) || value < 0 || (positive && value == 0)) {
            throw new IllegalArgumentException("--" + name + " must be a finite number " + (positive ? "> 0" : ">= 0")
                    + ", got " + value);
        }
    }

    public StepSettings withObjective(Objective o) {
        return new StepSettings(o, aggregation, learningRate, klBeta, weightDecay, maxGradNorm, dpoBeta,
                logitChunkBytes);
    }

    public StepSettings withLearningRate(double lr) {
        return new StepSettings(objective, aggregation, lr, klBeta, weightDecay, maxGradNorm, dpoBeta,
                logitChunkBytes);
    }

    public StepSettings withLogitChunkBytes(long bytes) {
        return new StepSettings(objective, aggregation, learningRate, klBeta, weightDecay, maxGradNorm, dpoBeta,
                bytes);
    }
}
