package dev.espalier.policy.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.espalier.policy.model.ProjectionDelta;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Temperature-1 ancestral sampling on {@link ToyCausalLm} (full recompute per token: the toy has no cache), with one
 * seeded RNG per row, so the autopilot can be tested without the real generator.
 */
final class ToySampler implements Autopilot.Rollouts {

    private final ToyCausalLm model;
    private final NDManager manager;
    private final int newTokens;

    ToySampler(ToyCausalLm model, NDManager manager, int newTokens) {
        this.model = model;
        this.manager = manager;
        this.newTokens = newTokens;
    }

    @Override
    public List<int[]> sample(int[] promptIds, int n, long seed, ProjectionDelta delta) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope ignored = new NDScope()) {
            int t = promptIds.length + newTokens;
            long[] ids = new long[n * t];
            for (int r = 0; r < n; r++) {
                for (int p = 0; p < promptIds.length; p++) {
                    ids[r * t + p] = promptIds[p];
                }
            }
            SplittableRandom[] rng = new SplittableRandom[n];
            for (int r = 0; r < n; r++) {
                rng[r] = new SplittableRandom(seed + r);
            }
            for (int pos = promptIds.length; pos < t; pos++) {
                NDArray tokens = manager.create(ids, new Shape(n, t));
                NDArray logits = model.logits(tokens, manager.ones(tokens.getShape(), DataType.BOOLEAN), delta);
                float[] probs = logits.get(":, {}", pos - 1).softmax(-1).toFloatArray(); // [n, V]
                int vocab = probs.length / n;
                for (int r = 0; r < n; r++) {
                    double u = rng[r].nextDouble();
                    int token = vocab - 1;
                    double cdf = 0;
                    for (int v = 0; v < vocab; v++) {
                        cdf += probs[r * vocab + v];
                        if (u < cdf) {
                            token = v;
                            break;
                        }
                    }
                    ids[r * t + pos] = token;
                }
            }
            List<int[]> out = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int[] completion = new int[newTokens];
                for (int j = 0; j < newTokens; j++) {
                    completion[j] = (int) ids[r * t + promptIds.length + j];
                }
                out.add(completion);
            }
            return out;
        } finally {
            JniUtils.setGradMode(grad);
        }
    }
}
