package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import dev.espalier.policy.lora.GraphScalar;

/**
 * The DPO objective of DESIGN.md §5 on sequence log-probability sums S (adapter on) and R (adapter off), [G].
 * Pick k: mean over j≠k of −log σ(β·[(S_k − R_k) − (S_j − R_j)]). None: mean over i of −log σ(−β·(S_i − R_i)).
 */
public final class DpoMath {

    private DpoMath() {
    }

    public static NDArray loss(NDArray seqLogp, NDArray seqRef, int choice, double beta) {
        NDArray margin = seqLogp.sub(seqRef); // [G] implicit reward / β
        NDArray logits;
        if (choice == StepCase.NONE) {
            logits = margin.mul(GraphScalar.of(margin, -beta));
        } else {
            long g = margin.getShape().get(0);
            NDArray chosen = margin.get(choice);                         // []
            NDArray others = margin.booleanMask(notChoice(margin, choice, g)); // [G-1]
            logits = chosen.sub(others).mul(GraphScalar.of(margin, beta));
        }
        return negLogSigmoid(logits).mean();
    }

    private static NDArray notChoice(NDArray like, int choice, long g) {
        boolean[] keep = new boolean[(int) g];
        java.util.Arrays.fill(keep, true);
        keep[choice] = false;
        return like.getManager().create(keep);
    }

    /** −log σ(z) = log(1 + e^{−|z|}) − min(z, 0), which never overflows. */
    static NDArray negLogSigmoid(NDArray z) {
        return z.abs().neg().exp().add(1).log().sub(z.minimum(GraphScalar.of(z, 0))); // add saves no operand
    }
}
