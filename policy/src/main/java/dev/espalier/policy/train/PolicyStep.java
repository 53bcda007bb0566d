package dev.espalier.policy.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import dev.espalier.policy.lora.GraphScalar;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
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
 * <p>
 * Bounded memory: when a batch's [G,L,V] logits are larger than {@link StepSettings#logitChunkBytes} (and the forward
 * can project a slice, {@link ChunkedForward}), both passes score a slice of positions at a time. The loss depends on
 * the rollouts only through their sequence sums S, so its gradient is dL/dθ = Σ_i (dL/dS_i)·dS_i/dθ: the policy pass
 * computes S with the graph cut after the last layer, takes dL/dS from the loss alone, then for each slice
 * back-propagates Σ_i (dL/dS_i)·logp_i over its positions into the last layer's output, and finally that gradient
 * through the layers. The peak holds one slice of logits and its gradient instead of all of them; the projection runs
 * twice. Docs: docs/training.md.
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
            int slice = model instanceof ChunkedForward chunked
                    ? settings.chunkPositions(g, batch.scoredPositions(), chunked.vocabularySize()) : 0;

            // Reference: the same base weights with the adapter off; grad mode off so no graph is kept. Its own
            // scope frees the [G,T,V] logits before the policy pass allocates its own.
            JniUtils.setGradMode(false);
            NDArray seqRef;
            try (NDScope reference = new NDScope()) {
                seqRef = slice == 0 ? batch.sequenceSums(batch.completionLogprobs(
                        model.logits(batch.tokens, batch.valid, ProjectionDelta.NONE, batch.firstScored())))       // [G]
                        : slicedSums(batch, ((ChunkedForward) model).hidden(batch.tokens, batch.valid,
                                ProjectionDelta.NONE, batch.firstScored()), slice);
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
                NDArray hidden = null;
                NDArray cut = null;
                if (slice == 0) {
                    try (NDScope policyScores = new NDScope()) {
                        seqLogp = batch.sequenceSums(batch.completionLogprobs(
                                model.logits(batch.tokens, batch.valid, adapter, batch.firstScored())));           // [G]
                        NDScope.unregister(seqLogp);
                    }
                } else {
                    hidden = ((ChunkedForward) model).hidden(batch.tokens, batch.valid, adapter,
                            batch.firstScored());                                                         // [G,L,C]
                    cut = hidden.stopGradient();
                    cut.setRequiresGradient(true);
                    JniUtils.setGradMode(false);
                    seqLogp = slicedSums(batch, cut, slice);                                              // [G]
                    JniUtils.setGradMode(true);
                    seqLogp.setRequiresGradient(true);
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
                if (slice > 0) {
                    backwardSliced(collector, batch, hidden, cut, seqLogp.getGradient(), slice);
                }
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

    /** S_i from the last layer's output, a slice of positions at a time: [G,L,C] → [G]. */
    private NDArray slicedSums(RolloutBatch batch, NDArray hidden, int slice) {
        ChunkedForward chunked = (ChunkedForward) model;
        NDArray sums = null;
        for (int from = 0; from < batch.scoredPositions(); from += slice) {
            int to = Math.min(batch.scoredPositions(), from + slice);
            try (NDScope part = new NDScope()) {
                NDArray s = batch.sequenceSums(batch.completionLogprobs(
                        chunked.project(hidden.get(new NDIndex(":, {}:{}, :", from, to))), from, to));
                NDArray next = sums == null ? s : sums.add(s);
                NDScope.unregister(next);
                if (sums != null) {
                    sums.close();
                }
                sums = next;
            }
        }
        return sums;
    }

    /**
     * Back-propagates Σ_i (dL/dS_i)·S_i through the sliced projection into {@code cut} (the last layer's output,
     * detached), one slice's graph at a time, then {@code cut}'s gradient through the layers into the adapter.
     */
    private void backwardSliced(GradientCollector collector, RolloutBatch batch, NDArray hidden, NDArray cut,
                                NDArray lossPerSum, int slice) {
        ChunkedForward chunked = (ChunkedForward) model;
        NDArray weight = lossPerSum.expandDims(1);                                                        // [G,1]
        for (int from = 0; from < batch.scoredPositions(); from += slice) {
            int to = Math.min(batch.scoredPositions(), from + slice);
            try (NDScope part = new NDScope()) {
                NDArray logp = batch.completionLogprobs(
                        chunked.project(cut.get(new NDIndex(":, {}:{}, :", from, to))), from, to);      // [G,n]
                collector.backward(logp.mul(weight).sum());
            }
        }
        collector.backward(hidden.mul(cut.getGradient()).sum());
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
