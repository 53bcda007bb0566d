package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;

import java.util.List;

/** Global L2 clipping of all LoRA gradients, as torch.nn.utils.clip_grad_norm_ (DESIGN.md §5). */
public final class GradientClipping {

    private GradientClipping() {
    }

    /**
     * ‖g‖ over every gradient. Each tensor's sum of squares is one float32 reduction whose order is fixed for a given
     * thread count; the per-tensor sums are added in float64 in parameter order, so the result is reproducible bit for
     * bit on the same machine and thread count.
     */
    public static double globalNorm(List<NDArray> gradients) {
        double sumSquares = 0;
        for (NDArray g : gradients) {
            sumSquares += g.square().sum().getFloat();
        }
        return Math.sqrt(sumSquares);
    }

    /** min(1, max / (‖g‖ + 1e-6)); maxNorm 0 turns clipping off. */
    public static double coefficient(double norm, double maxNorm) {
        if (maxNorm == 0) {
            return 1.0;
        }
        return Math.min(1.0, maxNorm / (norm + 1e-6));
    }
}
