package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;

/**
 * One AdamW update of one parameter, in PyTorch's order of operations (torch.optim.AdamW, single-tensor path):
 * p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * p ← p − (lr / (1 − β1^t))·m / (sqrt(v) / sqrt(1 − β2^t) + eps).
 * Every operation is elementwise, so the result does not depend on the thread count.
 */
public final class AdamW {

    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPS = 1e-8;

    /** The next parameter and moments; the inputs are not modified. */
    public record Update(NDArray parameter, NDArray m, NDArray v) {
    }

    private AdamW() {
    }

    /** @param t the step number after incrementing (1 for the first update) */
    public static Update update(NDArray p, NDArray g, NDArray m, NDArray v, long t, double lr, double weightDecay) {
        NDArray decayed = p.mul((float) (1 - lr * weightDecay));
        NDArray m1 = m.mul((float) BETA1).add(g.mul((float) (1 - BETA1)));
        NDArray v1 = v.mul((float) BETA2).add(g.square().mul((float) (1 - BETA2)));
        double biasCorrection1 = 1 - Math.pow(BETA1, t);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(BETA2, t));
        NDArray denom = v1.sqrt().div((float) biasCorrection2Sqrt).add((float) EPS);
        NDArray next = decayed.sub(m1.div(denom).mul((float) (lr / biasCorrection1)));
        return new Update(next, m1, v1);
    }
}
