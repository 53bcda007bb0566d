package dev.espalier.policy.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import dev.espalier.policy.lora.GraphScalar;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.model.NonFiniteValuesException;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.state.OptimizerState;
import dev.espalier.policy.state.TrainingState;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One optimizer step on the adapter from one step case (DESIGN.md §5). It only orchestrates: a reference pass with
 * the adapter off and no gradient, a policy pass with the adapter on under a GradientCollector, the loss from
 * {@link GrpoMath} or {@link DpoMath}, clipping, and {@link AdamW}. Either the whole step lands or, on any error, the
 * state is exactly as before (parameters and moments are replaced only at the very end).
 */
public final class PolicyStep {

    /** DJL allows one GradientCollector per process (DESIGN.md §7): steps run one at a time. */
    private static final ReentrantLock ONE_COLLECTOR = new ReentrantLock();

    private final CausalForward model;

    public PolicyStep(CausalForward model) {
        this.model = model;
    }

    public StepResult apply(TrainingState state, StepCase c, StepSettings settings) {
        ONE_COLLECTOR.lock();
        boolean gradMode = JniUtils.isGradMode();
        LoraAdapter adapter = state.adapter();
        try (NDScope scope = new NDScope(); NDManager work = adapter.manager().newSubManager()) {
            RolloutBatch batch = new RolloutBatch(c, work);
            int g = c.groupSize();

            // Reference: the same base weights with the adapter off; grad mode off so no graph is kept. Its own
            // scope frees the [G,T,V] logits before the policy pass allocates its own.
            JniUtils.setGradMode(false);
            NDArray seqRef;
            try (NDScope reference = new NDScope()) {
                seqRef = batch.sequenceSums(batch.completionLogprobs(
                        model.logits(batch.tokens, batch.valid, ProjectionDelta.NONE, batch.firstScored())));      // [G]
                NDScope.unregister(seqRef);
            }

            List<NDArray> params = adapter.parameters();
            params.forEach(p -> p.setRequiresGradient(true));
            double[] advantages = settings.objective() == Objective.GRPO
                    ? GrpoMath.advantages(c.choice(), g) : new double[0];
            double loss;
            double policyTerm;
            double klTerm;
            double[] drift;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                // The graph keeps what backward needs (the log-softmax output); closing the [G,L,V] logits here
                // instead of after backward takes one vocabulary-sized array off the step's peak.
                NDArray seqLogp;
                try (NDScope policyScores = new NDScope()) {
                    seqLogp = batch.sequenceSums(batch.completionLogprobs(
                            model.logits(batch.tokens, batch.valid, adapter, batch.firstScored())));               // [G]
                    NDScope.unregister(seqLogp);
                }
                NDArray driftArr = GrpoMath.drift(seqLogp, seqRef, batch.lengths);          // [G]
                NDArray kl = GrpoMath.klTerm(driftArr);
                NDArray policy;
                NDArray total;
                if (settings.objective() == Objective.GRPO) {
                    NDArray adv = work.create(toFloats(advantages));
                    policy = GrpoMath.policyTerm(seqLogp, batch.lengths, adv, settings.aggregation());
                    total = policy.add(kl.mul(GraphScalar.of(kl, settings.klBeta())));
                } else {
                    policy = DpoMath.loss(seqLogp, seqRef, c.choice(), settings.dpoBeta());
                    total = policy;
                }
                collector.backward(total);
                loss = total.getFloat();
                policyTerm = policy.getFloat();
                klTerm = kl.getFloat();
                drift = toDoubles(driftArr.toFloatArray());
            }

            List<NDArray> grads = new ArrayList<>(params.size());
            for (NDArray p : params) {
                grads.add(p.getGradient());
            }
            double norm = GradientClipping.globalNorm(grads);
            if (!Double.isFinite(norm) || !Double.isFinite(loss)) {
                throw new NonFiniteValuesException("the step's loss (" + loss + ") or gradient norm (" + norm
                        + "); step refused, state unchanged");
            }
            float clip = (float) GradientClipping.coefficient(norm, settings.maxGradNorm());

            OptimizerState opt = state.optimizer();
            long t = opt.step() + 1;
            List<NDArray> nextParams = new ArrayList<>();
            List<NDArray> nextM = new ArrayList<>();
            List<NDArray> nextV = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                AdamW.Update u = AdamW.update(params.get(i), grads.get(i).mul(clip), opt.m().get(i), opt.v().get(i),
                        t, settings.learningRate(), settings.weightDecay());
                nextParams.add(u.parameter());
                nextM.add(u.m());
                nextV.add(u.v());
            }
            // Everything above may fail and leave the state untouched; from here on nothing can fail.
            nextParams.forEach(NDScope::unregister);
            nextM.forEach(NDScope::unregister);
            nextV.forEach(NDScope::unregister);
            adapter.replaceParameters(nextParams);
            opt.advance(nextM, nextV, adapter.manager());
            return new StepResult(loss, policyTerm, klTerm, norm, advantages, drift, opt.step());
        } finally {
            // After a failed step the old parameters still hold gradients that the next backward would add to.
            adapter.parameters().forEach(p -> {
                if (p.hasGradient()) {
                    JniUtils.zeroGrad((PtNDArray) p);
                    p.setRequiresGradient(false);
                }
            });
            JniUtils.setGradMode(gradMode);
            ONE_COLLECTOR.unlock();
        }
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    private static double[] toDoubles(float[] values) {
        return java.util.stream.IntStream.range(0, values.length).mapToDouble(i -> values[i]).toArray();
    }

}
