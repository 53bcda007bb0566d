package dev.espalier.policy.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.model.CausalLm;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The backward of a step runs after the forward has returned and closed its intermediates. Arrays the engine built
 * from Java data (rotary tables, masks) point into direct buffers that only their Java object keeps alive; if the
 * autograd graph still needs them, a GC between forward and backward frees that memory and the gradient is read
 * from whatever reuses it. Found as sporadic NaN gradients in long autopilot runs with a small heap.
 */
class BackwardAfterGcTest {

    @Test
    void gradients_doNotChange_whenGcAndNativeChurnHappenBetweenForwardAndBackward() {
        float[] clean = gradientOfFirstB(false);
        float[] churned = gradientOfFirstB(true);
        assertArrayEquals(clean, churned);
    }

    @Test
    void lossGradients_doNotChange_whenGcAndNativeChurnHappenBeforeBackward() {
        for (int choice : new int[] {1, StepCase.NONE}) {
            assertArrayEquals(lossGradient(choice, false), lossGradient(choice, true), "choice " + choice);
        }
    }

    /** d(GRPO loss with KL)/dS + d(DPO loss)/dS for sequence sums S: every scalar the step's math uses. */
    private static float[] lossGradient(int choice, boolean churn) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray s = manager.create(new float[] {-3.5f, -2.25f, -7f, -1.5f});
            NDArray ref = manager.create(new float[] {-3f, -2.5f, -6f, -2f});
            NDArray lengths = manager.create(new float[] {2, 3, 5, 1});
            s.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray adv = manager.create(new float[] {-0.5f, 1.5f, -0.5f, -0.5f});
                NDArray kl = GrpoMath.klTerm(GrpoMath.drift(s, ref, lengths));
                NDArray loss = GrpoMath.policyTerm(s, lengths, adv, Aggregation.SEQ_MEAN)
                        .add(kl.mul(dev.espalier.policy.lora.GraphScalar.of(kl, 0.7)))
                        .add(DpoMath.loss(s, ref, choice, 0.3));
                if (churn) {
                    reuseFreedDirectMemory();
                }
                collector.backward(loss);
            }
            return s.getGradient().toFloatArray();
        }
    }

    private static float[] gradientOfFirstB(boolean churn) {
        Path golden = Golden.dir("grpo-llama");
        try (NDManager manager = NDManager.newBaseManager();
             CausalLm lm = CausalLm.load(golden.resolve("model"), manager);
             LoraAdapter adapter = LoraAdapter.load(golden.resolve("start"), golden.resolve("model"), manager)) {
            NDArray ids = manager.create(new long[] {5, 6, 7, 8, 9, 10, 11, 12}, new Shape(2, 4));
            NDArray valid = manager.ones(ids.getShape(), DataType.BOOLEAN);
            adapter.parameters().forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = lm.logits(ids, valid, adapter).logSoftmax(2).get(":, :, 3").sum();
                if (churn) {
                    reuseFreedDirectMemory();
                }
                collector.backward(loss);
            }
            return adapter.parameters().get(1).getGradient().toFloatArray();
        }
    }

    /** Frees unreachable direct buffers and refills same-sized allocations with NaN bytes. */
    private static void reuseFreedDirectMemory() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            List<ByteBuffer> junk = new ArrayList<>();
            for (int size = 64; size <= 1 << 16; size *= 2) {
                for (int i = 0; i < 8; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(size);
                    while (b.hasRemaining()) {
                        b.put((byte) 0xFF);
                    }
                    junk.add(b);
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
