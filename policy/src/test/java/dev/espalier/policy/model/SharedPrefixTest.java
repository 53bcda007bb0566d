package dev.espalier.policy.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.lora.TargetModules;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rows that begin with the same tokens (a prompt and its completions) run that prefix once, packed with the rows'
 * own tokens into one row (see {@link SharedPrefix}): their logits and, under a GradientCollector, the adapter gradients must be those of each row
 * scored alone (a single row shares nothing, so it takes the plain full-sequence path, which TransformersParityTest
 * holds to transformers). Every architecture option of the engine path, on TransformersParityTest's models: GQA,
 * llama3 RoPE scaling, Mistral's sliding window (8 tokens, crossed at the prefix/row boundary here), Qwen2's biases,
 * Qwen3's q/k norm.
 */
class SharedPrefixTest {

    /** Batched vs alone differ only by float32 rounding of differently shaped matmuls. Metric: ∞-norm relative. */
    private static final double LOGITS_TOLERANCE = 1e-5;
    /** Gradients sum over rows and positions in another order: a little more rounding. Same metric, per tensor. */
    private static final double GRADIENT_TOLERANCE = 1e-4;
    private static final int[] PROMPT = {5, 9, 2, 14, 3, 8};
    /** Every completion starts with 11, so the rows share 7 tokens, one more than the prompt; right-padded to 10. */
    private static final int[][] COMPLETIONS = {{11, 4, 19, 6, 30, 2, 7}, {11, 40, 13}, {11, 3, 3, 25, 9, 12, 17, 1, 44, 20}};

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_tied", "llama3_rope_scaling", "mistral_sliding_window", "qwen2_bias",
            "qwen3_qk_norm"})
    void logits_ofRowsSharingAPrefix_matchEachRowScoredAlone(String name) {
        Path dir = model(name);
        try (NDManager manager = NDManager.newBaseManager(); CausalLm model = CausalLm.load(dir, manager)) {
            // from 0 and 5 take prefix positions' states broadcast to every row, 7 starts exactly at the rows' pass,
            // 8 inside it.
            for (int from : new int[]{0, 5, 7, 8}) {
                assertRowsMatchAlone(model, manager, COMPLETIONS, from, name);
            }
            // Identical rows share everything but the last token, which the rows' pass keeps.
            int[] same = COMPLETIONS[0];
            assertRowsMatchAlone(model, manager, new int[][]{same, same}, 5, name + " identical rows");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_tied", "llama3_rope_scaling", "mistral_sliding_window", "qwen2_bias",
            "qwen3_qk_norm"})
    void adapterGradients_throughASharedPrefix_equalTheSumOverRowsAlone(String name) {
        Path dir = model(name);
        int from = PROMPT.length - 1;
        try (NDManager manager = NDManager.newBaseManager(); CausalLm model = CausalLm.load(dir, manager);
             LoraAdapter adapter = adapter(dir, manager)) {
            int vocab = model.config().vocabSize();
            int scored = time(COMPLETIONS) - from;
            // A fixed random weighting of every scored logit, zero past a row's end: each row's loss touches all its
            // positions and none of its padding.
            SplittableRandom random = new SplittableRandom(5);
            float[][] w = new float[COMPLETIONS.length][scored * vocab];
            for (int r = 0; r < COMPLETIONS.length; r++) {
                for (int i = 0; i < (PROMPT.length + COMPLETIONS[r].length - from) * vocab; i++) {
                    w[r][i] = (float) random.nextDouble(-1, 1);
                }
            }

            List<float[]> together = gradients(adapter, () -> {
                float[] all = new float[COMPLETIONS.length * scored * vocab];
                for (int r = 0; r < COMPLETIONS.length; r++) {
                    System.arraycopy(w[r], 0, all, r * scored * vocab, scored * vocab);
                }
                NDArray logits = model.logits(ids(manager, COMPLETIONS), valid(manager, COMPLETIONS), adapter, from);
                return logits.mul(manager.create(all, new Shape(COMPLETIONS.length, scored, vocab))).sum();
            });
            List<float[]> alone = gradients(adapter, () -> {
                NDArray total = null;
                for (int r = 0; r < COMPLETIONS.length; r++) {
                    int[][] row = {COMPLETIONS[r]};
                    int own = PROMPT.length + row[0].length - from;
                    float[] rowWeights = Arrays.copyOf(w[r], own * vocab);
                    NDArray logits = model.logits(ids(manager, row), valid(manager, row), adapter, from);
                    NDArray loss = logits.mul(manager.create(rowWeights, new Shape(1, own, vocab))).sum();
                    total = total == null ? loss : total.add(loss);
                }
                return total;
            });
            for (int i = 0; i < alone.size(); i++) {
                double err = relative(alone.get(i), together.get(i));
                assertTrue(err <= GRADIENT_TOLERANCE, name + " " + adapter.parameterKeys().get(i)
                        + ": gradient differs by " + err + " relative");
            }
        }
    }

    private static void assertRowsMatchAlone(CausalLm model, NDManager manager, int[][] completions, int from,
                                             String what) {
        int vocab = model.config().vocabSize();
        int longest = 0;
        for (int[] c : completions) {
            longest = Math.max(longest, c.length);
        }
        int time = PROMPT.length + longest;
        try (NDManager call = manager.newSubManager()) {
            float[] batched = model.logits(ids(call, completions), valid(call, completions), ProjectionDelta.NONE,
                    from).toFloatArray();
            assertEquals(completions.length * (time - from) * vocab, batched.length, what + ": shape");
            for (int r = 0; r < completions.length; r++) {
                int[][] row = {completions[r]};
                float[] alone = model.logits(ids(call, row), valid(call, row), ProjectionDelta.NONE, from)
                        .toFloatArray();
                float[] inBatch = new float[alone.length];
                System.arraycopy(batched, r * (time - from) * vocab, inBatch, 0, alone.length);
                double err = relative(alone, inBatch);
                assertTrue(err <= LOGITS_TOLERANCE, what + " row " + r + " from " + from + ": relative ∞-norm error "
                        + err);
            }
        }
    }

    /** Gradients of every adapter parameter of the loss, as Java arrays; the adapter is left without gradients. */
    private static List<float[]> gradients(LoraAdapter adapter, Supplier<NDArray> loss) {
        List<NDArray> params = adapter.parameters();
        params.forEach(p -> p.setRequiresGradient(true));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(loss.get());
            List<float[]> out = new ArrayList<>();
            for (NDArray p : params) {
                out.add(p.getGradient().toFloatArray());
            }
            collector.zeroGradients();
            return out;
        } finally {
            params.forEach(p -> p.setRequiresGradient(false));
        }
    }

    /** Rank 4 on every default target, with B drawn at random so that A gets a gradient too. */
    private static LoraAdapter adapter(Path dir, NDManager manager) {
        LoraConfig config = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, dir.toString());
        LoraAdapter adapter = LoraAdapter.initialise(config, TargetModules.discover(dir, config.targets()), 3, manager);
        SplittableRandom random = new SplittableRandom(4);
        List<NDArray> next = new ArrayList<>();
        for (NDArray p : adapter.parameters()) {
            float[] values = p.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                values[i] += (float) random.nextDouble(-0.2, 0.2);
            }
            next.add(adapter.manager().create(values, p.getShape()));
        }
        adapter.replaceParameters(next);
        return adapter;
    }

    /** The prompt then each completion, right-padded with a real token id (padding must be ignored). */
    private static NDArray ids(NDManager manager, int[][] completions) {
        int time = time(completions);
        long[] ids = new long[completions.length * time];
        Arrays.fill(ids, 7);
        for (int r = 0; r < completions.length; r++) {
            for (int t = 0; t < PROMPT.length; t++) {
                ids[r * time + t] = PROMPT[t];
            }
            for (int t = 0; t < completions[r].length; t++) {
                ids[r * time + PROMPT.length + t] = completions[r][t];
            }
        }
        return manager.create(ids, new Shape(completions.length, time));
    }

    private static NDArray valid(NDManager manager, int[][] completions) {
        int time = time(completions);
        boolean[] valid = new boolean[completions.length * time];
        for (int r = 0; r < completions.length; r++) {
            for (int t = 0; t < PROMPT.length + completions[r].length; t++) {
                valid[r * time + t] = true;
            }
        }
        return manager.create(valid, new Shape(completions.length, time));
    }

    private static int time(int[][] completions) {
        int longest = 0;
        for (int[] c : completions) {
            longest = Math.max(longest, c.length);
        }
        return PROMPT.length + longest;
    }

    private static double relative(float[] expected, float[] actual) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / maxRef;
    }

    /** TransformersParityTest's model of that name, rebuilt by init-model from the fixture's arguments. */
    private Path model(String name) {
        return TestModels.fromGolden(tmp.resolve(name), TestModels.goldenFixture(name));
    }
}
