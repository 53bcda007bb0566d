package dev.espalier.policy.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.HostDecoder;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.model.TestModels;
import dev.espalier.policy.sampling.SamplingParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {

    private static final SamplingParams HOT = new SamplingParams(1.2, 0, 1.0, 0.1);
    private static final int[] PROMPT = {1, 17, 42, 5};
    private static final int[] CONTROL = {1, 60, 61, 62, 63, 64, 65, 66, 67};

    @TempDir
    static Path tmp;
    private static NDManager manager;
    private static CausalLm model;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = CausalLm.load(TestModels.llama(tmp.resolve("model")), manager);
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    private static List<Completion> generate(List<Prompt> rows, SamplingParams sampling, int maxNew) {
        return new Generator(model).generate(rows, new GenerationSettings(sampling, maxNew), ProjectionDelta.NONE,
                TokenListener.NONE);
    }

    @Test
    void hostDecodeSwitchedOff_decodesThroughTheEngine_withTheSameTokens() {
        List<Prompt> rows = Prompt.repeated(PROMPT, 3, 11);
        assertTrue(HostDecoder.supports(model, rows.size()), "the host path is what runs by default here");
        List<Completion> host = generate(rows, SamplingParams.GREEDY, 12);
        System.setProperty(HostDecoder.ENABLED_PROPERTY, "false");
        try {
            assertFalse(HostDecoder.supports(model, rows.size()));
            List<Completion> engine = generate(rows, SamplingParams.GREEDY, 12);
            for (int i = 0; i < rows.size(); i++) {
                assertArrayEquals(host.get(i).tokenIds(), engine.get(i).tokenIds());
            }
        } finally {
            System.clearProperty(HostDecoder.ENABLED_PROPERTY);
        }
    }

    @Test
    void sameSeed_givesSameTokens_andDifferentSeedsDiffer() {
        List<Completion> a = generate(Prompt.repeated(PROMPT, 4, 7), HOT, 24);
        List<Completion> b = generate(Prompt.repeated(PROMPT, 4, 7), HOT, 24);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(a.get(i).tokenIds(), b.get(i).tokenIds());
            assertArrayEquals(a.get(i).logprobs(), b.get(i).logprobs());
        }
        Set<String> distinct = new TreeSet<>();
        a.forEach(c -> distinct.add(java.util.Arrays.toString(c.tokenIds())));
        assertTrue(distinct.size() > 1, "the 4 rows should differ: " + distinct);
    }

    @Test
    void row_givesSameTokens_aloneOrBatchedWithALongerControlPrompt() {
        List<Prompt> rows = new ArrayList<>(Prompt.repeated(PROMPT, 3, 11));
        rows.add(new Prompt(CONTROL, 99));
        List<Completion> batched = generate(rows, HOT, 20);
        for (int i = 0; i < rows.size(); i++) {
            Completion alone = generate(List.of(rows.get(i)), HOT, 20).getFirst();
            assertArrayEquals(alone.tokenIds(), batched.get(i).tokenIds(), "row " + i);
            for (int t = 0; t < alone.logprobs().length; t++) {
                assertEquals(alone.logprobs()[t], batched.get(i).logprobs()[t], 1e-5, "row " + i + " token " + t);
            }
        }
    }

    @Test
    void logprobs_areTheModelsTemperatureOneLogprobs() {
        Completion c = generate(List.of(new Prompt(PROMPT, 3)), HOT, 6).getFirst();
        long[] ids = new long[PROMPT.length + c.tokenIds().length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i < PROMPT.length ? PROMPT[i] : c.tokenIds()[i - PROMPT.length];
        }
        try (NDManager m = manager.newSubManager()) {
            float[] lp = model.logits(m.create(ids, new Shape(1, ids.length)),
                    m.ones(new Shape(1, ids.length), DataType.BOOLEAN), ProjectionDelta.NONE).logSoftmax(-1).toFloatArray();
            int vocab = model.config().vocabSize();
            for (int t = 0; t < c.tokenIds().length; t++) {
                int at = PROMPT.length - 1 + t;
                assertEquals(lp[at * vocab + c.tokenIds()[t]], c.logprobs()[t], 1e-4, "token " + t);
            }
        }
    }

    @Test
    void generation_stopsAtAnyEosIdOfGenerationConfig() throws Exception {
        int[] greedy = generate(List.of(new Prompt(PROMPT, 0)), SamplingParams.GREEDY, 12).getFirst().tokenIds();
        Path dir = tmp.resolve("eos-list");
        TestModels.llama(dir);
        // the list form: the greedy path's 4th token is the second EOS id
        Files.writeString(dir.resolve("generation_config.json"),
                "{\"bos_token_id\":1,\"eos_token_id\":[95," + greedy[3] + "]}");
        try (NDManager m = NDManager.newBaseManager(); CausalLm lm = CausalLm.load(dir, m)) {
            List<FinishReason> finishes = new ArrayList<>();
            TokenListener listener = new TokenListener() {
                @Override
                public void onToken(int row, int tokenId, float logprob) {
                }

                @Override
                public void onFinish(int row, FinishReason reason) {
                    finishes.add(reason);
                }
            };
            Completion c = new Generator(lm).generate(List.of(new Prompt(PROMPT, 0)),
                    new GenerationSettings(SamplingParams.GREEDY, 12), ProjectionDelta.NONE, listener).getFirst();
            int firstEos = 0;
            while (greedy[firstEos] != greedy[3] && greedy[firstEos] != 95) {
                firstEos++;
            }
            assertArrayEquals(java.util.Arrays.copyOf(greedy, firstEos + 1), c.tokenIds());
            assertEquals(FinishReason.STOP, c.finishReason());
            assertEquals(List.of(FinishReason.STOP), finishes);
        }
    }

    @Test
    void generation_endsWithLength_atMaxNewTokens_andStreamsEveryToken() {
        List<int[]> streamed = new ArrayList<>();
        TokenListener listener = (row, token, logprob) -> streamed.add(new int[]{row, token});
        List<Completion> out = new Generator(model).generate(Prompt.repeated(PROMPT, 2, 5),
                new GenerationSettings(HOT, 5, false), ProjectionDelta.NONE, listener);
        for (Completion c : out) {
            assertEquals(5, c.tokenIds().length);
            assertEquals(FinishReason.LENGTH, c.finishReason());
        }
        assertEquals(10, streamed.size());
        assertEquals(out.get(1).tokenIds()[4], streamed.get(9)[1]);
    }

    @Test
    void generation_isRejected_whenPromptFillsTheContext() {
        int[] tooLong = new int[model.config().maxPositions()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> generate(List.of(new Prompt(tooLong, 0)), HOT, 4));
        assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
    }

    @Test
    void generation_stopsAtTheContextLength() {
        int context = model.config().maxPositions();
        int[] prompt = new int[context - 3];
        Completion c = generate(List.of(new Prompt(prompt, 0)), HOT, 50).getFirst();
        assertTrue(c.tokenIds().length <= 3, "at most 3 tokens fit: " + c.tokenIds().length);
    }

    @Test
    void decodeSteps_leaveNoNativeArraysBehind() {
        int before = model.manager().getManagedArrays().size();
        List<Integer> duringSteps = new ArrayList<>();
        TokenListener counter = (row, token, logprob) -> {
            if (row == 0) {
                duringSteps.add(model.manager().getManagedArrays().size());
            }
        };
        new Generator(model).generate(Prompt.repeated(PROMPT, 3, 1), new GenerationSettings(HOT, 40, false),
                ProjectionDelta.NONE, counter);
        assertEquals(40, duringSteps.size());
        // The KV cache is allocated once; every step after the first holds exactly as many arrays.
        assertEquals(1, duringSteps.stream().skip(1).distinct().count(), "arrays per step: " + duringSteps);
        assertEquals(before, model.manager().getManagedArrays().size(), "arrays left after generation");
    }

    @Test
    void delta_isAskedOncePerModulePerLayer_andAddsToThatModulesOutput() {
        List<String> asked = new ArrayList<>();
        String target = "model.layers.1.self_attn.v_proj";
        ProjectionDelta recorder = (path, x) -> {
            asked.add(path);
            return path.equals(target) ? x.getManager().ones(new Shape(x.getShape().get(0), x.getShape().get(1),
                    model.config().kvWidth())) : null;
        };
        try (NDManager m = manager.newSubManager()) {
            NDArray ids = m.create(new long[]{1, 5, 9}, new Shape(1, 3));
            NDArray valid = m.ones(new Shape(1, 3), DataType.BOOLEAN);
            float[] base = model.logits(ids, valid, ProjectionDelta.NONE).toFloatArray();
            float[] shifted = model.logits(ids, valid, recorder).toFloatArray();
            assertNotEquals(base[base.length - 1], shifted[shifted.length - 1]);
        }
        List<String> expected = new ArrayList<>();
        for (int l = 0; l < model.config().numLayers(); l++) {
            for (String m : new String[]{"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                    "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
                expected.add("model.layers." + l + "." + m);
            }
        }
        assertEquals(new TreeSet<>(expected), new TreeSet<>(asked));
        assertEquals(expected.size(), asked.size());
    }

    @Test
    void logits_passGradientsToTheDeltaOnly_underAGradientCollector() {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.zeros(new Shape(model.config().hiddenSize(), model.config().queryWidth()));
            a.setRequiresGradient(true);
            ProjectionDelta lora = (path, x) -> path.endsWith("q_proj") ? x.matMul(a) : null;
            NDArray ids = m.create(new long[]{1, 5, 9, 14}, new Shape(1, 4));
            NDArray valid = m.ones(new Shape(1, 4), DataType.BOOLEAN);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(ids, valid, lora);
                gc.backward(logits.logSoftmax(-1).get(":, :, 3").sum());
            }
            assertTrue(a.getGradient().abs().sum().getFloat() > 0, "the delta's parameter gets a gradient");
        }
    }

}
