package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.espalier.policy.generate.Completion;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.generate.Generator;
import dev.espalier.policy.generate.Prompt;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.sampling.SamplingParams;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java model against transformers on the fixtures of tools/goldens_model.py: the same seeded random models
 * (rebuilt here by init-model, checked by sha256), the logits of every position, and 32 greedy tokens — each prompt
 * alone, and all prompts in one padded batch.
 */
class TransformersParityTest {

    /**
     * Logits tolerance. Metric: for each prompt, max |java − transformers| over all positions and vocabulary entries,
     * divided by max |transformers| over the same entries (relative ∞-norm error of the [T,V] block).
     */
    private static final double MAX_RELATIVE_ERROR = 1e-4;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_tied", "llama3_rope_scaling", "mistral_sliding_window", "qwen2_bias",
            "qwen3_qk_norm"})
    void logitsAndGreedyTokens_matchTransformers_aloneAndInPaddedBatches(String name) throws Exception {
        JsonNode fixture = TestModels.goldenFixture(name);
        Path dir = TestModels.fromGolden(tmp.resolve(name), fixture);
        assertEquals(fixture.get("safetensors_sha256").asText(), sha256(dir.resolve("model.safetensors")),
                "init-model no longer writes the model the fixture was made from: rerun tools/goldens_model.py");

        List<int[]> prompts = new ArrayList<>();
        fixture.get("prompts").forEach(p -> prompts.add(ints(p)));
        try (NDManager manager = NDManager.newBaseManager();
             CausalLm model = CausalLm.load(dir, manager)) {
            int vocab = model.config().vocabSize();
            for (int i = 0; i < prompts.size(); i++) {
                float[][] expected = matrix(fixture.get("logits").get(i));
                float[] alone = logits(model, manager, List.of(prompts.get(i)), true).getFirst();
                assertClose(expected, alone, vocab, name + " prompt " + i + " alone");
            }
            for (boolean left : new boolean[]{true, false}) {
                List<float[]> batched = logits(model, manager, prompts, left);
                for (int i = 0; i < prompts.size(); i++) {
                    assertClose(matrix(fixture.get("logits").get(i)), batched.get(i), vocab,
                            name + " prompt " + i + (left ? " left" : " right") + "-padded in a batch");
                }
            }

            Generator generator = new Generator(model);
            GenerationSettings greedy = new GenerationSettings(SamplingParams.GREEDY, 32);
            List<Prompt> rows = prompts.stream().map(p -> new Prompt(p, 0)).toList();
            List<Completion> together = generator.generate(rows, greedy, ProjectionDelta.NONE, TokenListener.NONE);
            for (int i = 0; i < prompts.size(); i++) {
                int[] expected = ints(fixture.get("greedy").get(i));
                assertArrayEquals(expected, together.get(i).tokenIds(), name + " prompt " + i + " greedy, batched");
                Completion alone = generator.generate(List.of(rows.get(i)), greedy, ProjectionDelta.NONE,
                        TokenListener.NONE).getFirst();
                assertArrayEquals(expected, alone.tokenIds(), name + " prompt " + i + " greedy, alone");
            }
        }
    }

    /** Each prompt's logits [T·V], from one padded batch; padding to the left or right. */
    private static List<float[]> logits(CausalLm model, NDManager manager, List<int[]> prompts, boolean left) {
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        int batch = prompts.size();
        long[] ids = new long[batch * longest];
        long[] valid = new long[batch * longest];
        for (int b = 0; b < batch; b++) {
            int[] p = prompts.get(b);
            int offset = left ? longest - p.length : 0;
            for (int t = 0; t < p.length; t++) {
                ids[b * longest + offset + t] = p[t];
                valid[b * longest + offset + t] = 1;
            }
            for (int t = 0; t < longest - p.length; t++) {
                ids[b * longest + (left ? t : p.length + t)] = 7; // a real token id: padding must be ignored
            }
        }
        try (NDManager call = manager.newSubManager()) {
            NDArray out = model.logits(call.create(ids, new Shape(batch, longest)),
                    call.create(valid, new Shape(batch, longest)), ProjectionDelta.NONE);
            float[] all = out.toFloatArray();
            int vocab = model.config().vocabSize();
            List<float[]> result = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                int len = prompts.get(b).length;
                int offset = left ? longest - len : 0;
                float[] row = new float[len * vocab];
                System.arraycopy(all, (b * longest + offset) * vocab, row, 0, len * vocab);
                result.add(row);
            }
            return result;
        }
    }

    private static void assertClose(float[][] expected, float[] actual, int vocab, String what) {
        assertEquals(expected.length * vocab, actual.length, what + ": shape");
        double maxDiff = 0;
        double maxRef = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < vocab; v++) {
                maxDiff = Math.max(maxDiff, Math.abs(expected[t][v] - actual[t * vocab + v]));
                maxRef = Math.max(maxRef, Math.abs(expected[t][v]));
            }
        }
        double relative = maxDiff / maxRef;
        assertTrue(relative <= MAX_RELATIVE_ERROR, what + ": relative ∞-norm error " + relative);
    }


    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static float[][] matrix(JsonNode rows) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonNode row = rows.get(i);
            out[i] = new float[row.size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = (float) row.get(j).asDouble();
            }
        }
        return out;
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
