package dev.espalier.policy.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.lora.TargetModules;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.HostDecoder;
import dev.espalier.policy.model.KvCache;
import dev.espalier.policy.model.LowRankDeltas;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.model.TestModels;
import dev.espalier.policy.sampling.SamplingParams;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java decode path ({@link HostDecoder}) against the engine path ({@link CausalLm#forward}) on the architectures
 * of the transformers fixtures (same init-model arguments as tools/goldens_model.py): the logits of every decode step
 * of a left-padded batch, with and without a LoRA adapter, and whole generations through {@link Generator}.
 */
class HostDecoderParityTest {

    /** Per step and row: max |host − engine| over the vocabulary / max |engine|, as TransformersParityTest. */
    private static final double MAX_RELATIVE_ERROR = 1e-4;
    private static final int STEPS = 24;
    private static final String COMMON = "--vocab 96 --hidden 32 --layers 2 --intermediate 64 --max-positions 64 ";
    private static final List<int[]> PROMPTS = List.of(
            new int[]{1, 17, 42, 5, 9},
            new int[]{1, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69},
            new int[]{1, 30, 31, 32, 33, 34, 35, 36});

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {
            "--arch llama --heads 4 --kv-heads 2 --tied --seed 22",
            "--arch llama --heads 4 --kv-heads 4 --rope-scaling llama3 --seed 12",
            "--arch mistral --heads 4 --kv-heads 1 --sliding-window 8 --seed 13",
            "--arch qwen2 --heads 4 --kv-heads 2 --seed 14",
            "--arch qwen3 --heads 4 --kv-heads 2 --head-dim 16 --tied --seed 15"})
    void decodeStepLogits_matchTheEnginePath_withAndWithoutAdapter(String arch) {
        Path dir = TestModels.init(tmp.resolve("model"), (COMMON + arch).split(" "));
        try (NDManager manager = NDManager.newBaseManager();
             CausalLm model = CausalLm.load(dir, manager);
             LoraAdapter adapter = trainedLookingAdapter(dir, manager)) {
            assertTrue(HostDecoder.supports(model, PROMPTS.size()), "the host path must be on in tests");
            compareSteps(model, ProjectionDelta.NONE, arch + ", base model");
            compareSteps(model, adapter, arch + ", with adapter");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--arch qwen2 --heads 4 --kv-heads 2 --seed 14",
            "--arch mistral --heads 4 --kv-heads 1 --sliding-window 8 --seed 13"})
    void generation_givesTheEnginePathsTokens_withAnAdapter(String arch) {
        Path dir = TestModels.init(tmp.resolve("model"), (COMMON + arch).split(" "));
        try (NDManager manager = NDManager.newBaseManager();
             CausalLm model = CausalLm.load(dir, manager);
             LoraAdapter adapter = trainedLookingAdapter(dir, manager)) {
            List<Prompt> rows = PROMPTS.stream().map(p -> new Prompt(p, 0)).toList();
            GenerationSettings greedy = new GenerationSettings(SamplingParams.GREEDY, 40, false);
            ProjectionDelta engineOnly = adapter::apply; // not a LoraAdapter: the generator keeps the engine path
            List<Completion> host = new Generator(model).generate(rows, greedy, adapter, TokenListener.NONE);
            List<Completion> engine = new Generator(model).generate(rows, greedy, engineOnly, TokenListener.NONE);
            for (int i = 0; i < rows.size(); i++) {
                assertArrayEquals(engine.get(i).tokenIds(), host.get(i).tokenIds(), arch + " row " + i);
                float[] e = engine.get(i).logprobs();
                float[] h = host.get(i).logprobs();
                for (int t = 0; t < e.length; t++) {
                    assertEquals(e[t], h[t], 1e-4 * Math.max(1, Math.abs(e[t])), arch + " row " + i + " token " + t);
                }
            }
        }
    }

    /** Feeds the same tokens to both paths after the same left-padded prefill and compares every step's logits. */
    private static void compareSteps(CausalLm model, ProjectionDelta delta, String what) {
        int batch = PROMPTS.size();
        int longest = PROMPTS.stream().mapToInt(p -> p.length).max().orElseThrow();
        long[][] tokens = new long[batch][longest];
        boolean[][] real = new boolean[batch][longest];
        for (int b = 0; b < batch; b++) {
            int[] p = PROMPTS.get(b);
            for (int t = 0; t < p.length; t++) {
                tokens[b][longest - p.length + t] = p[t];
                real[b][longest - p.length + t] = true;
            }
        }
        try (KvCache engineCache = model.newCache(batch, longest + STEPS);
             KvCache hostCache = model.newCache(batch, longest + STEPS);
             NDScope ignored = new NDScope()) {
            float[] engine = model.forward(engineCache, tokens, real, delta).toFloatArray();
            model.forward(hostCache, tokens, real, delta);
            HostDecoder host = HostDecoder.open(model, hostCache, HostDeltas.of(delta));
            int vocab = model.config().vocabSize();
            SplittableRandom random = new SplittableRandom(5);
            for (int step = 0; step < STEPS; step++) {
                long[] next = new long[batch];
                long[][] nextColumn = new long[batch][1];
                boolean[][] allReal = new boolean[batch][1];
                for (int b = 0; b < batch; b++) {
                    // Mostly the engine's greedy token, sometimes a random one: steps visit varied states.
                    next[b] = random.nextInt(4) == 0 ? random.nextInt(vocab) : argmax(engine, b * vocab, vocab);
                    nextColumn[b][0] = next[b];
                    allReal[b][0] = true;
                }
                float[][] hostLogits = host.step(next);
                try (NDScope stepScope = new NDScope()) {
                    engine = model.forward(engineCache, nextColumn, allReal, delta).toFloatArray();
                }
                for (int b = 0; b < batch; b++) {
                    double maxDiff = 0;
                    double maxRef = 0;
                    for (int v = 0; v < vocab; v++) {
                        maxDiff = Math.max(maxDiff, Math.abs(engine[b * vocab + v] - hostLogits[b][v]));
                        maxRef = Math.max(maxRef, Math.abs(engine[b * vocab + v]));
                    }
                    assertTrue(maxDiff / maxRef <= MAX_RELATIVE_ERROR,
                            what + ": step " + step + " row " + b + " relative error " + maxDiff / maxRef);
                }
            }
        }
    }

    /** An adapter on every target with non-zero B (a fresh one is the identity and would test nothing). */
    private static LoraAdapter trainedLookingAdapter(Path modelDir, NDManager manager) {
        LoraConfig config = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, modelDir.toString());
        LoraAdapter adapter = LoraAdapter.initialise(config, TargetModules.discover(modelDir, config.targets()), 3,
                manager);
        SplittableRandom random = new SplittableRandom(9);
        List<NDArray> next = new ArrayList<>();
        for (NDArray p : adapter.parameters()) {
            float[] values = new float[(int) p.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextDouble() - 0.5) * 0.5f;
            }
            next.add(adapter.manager().create(values, new Shape(p.getShape().getShape())));
        }
        adapter.replaceParameters(next);
        return adapter;
    }

    private static int argmax(float[] values, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (values[from + i] > values[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
