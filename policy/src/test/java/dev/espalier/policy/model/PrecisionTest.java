package dev.espalier.policy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.espalier.policy.generate.Completion;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.generate.Generator;
import dev.espalier.policy.generate.Prompt;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.sampling.SamplingParams;
import dev.espalier.policy.state.TrainingState;
import dev.espalier.policy.train.PolicyStep;
import dev.espalier.policy.train.StepCase;
import dev.espalier.policy.train.StepResult;
import dev.espalier.policy.train.StepSettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * float16 weights (what a GPU runs by default) on the CPU, against the same model in float32: no GPU is needed to
 * check that every type boundary is handled (norms, rotary tables, the masked softmax, the cache, the LoRA branch).
 */
class PrecisionTest {

    @TempDir
    Path tmp;

    private Path model(String arch) {
        return switch (arch) {
            case "llama" -> TestModels.llama(tmp.resolve(arch));
            case "mistral" -> TestModels.init(tmp.resolve(arch), "--arch", "mistral", "--vocab", "96", "--hidden", "32",
                    "--layers", "2", "--heads", "4", "--kv-heads", "2", "--intermediate", "64", "--sliding-window",
                    "4", "--seed", "4");
            default -> TestModels.init(tmp.resolve(arch), "--arch", arch, "--vocab", "96", "--hidden", "32",
                    "--layers", "2", "--heads", "4", "--kv-heads", "2", "--intermediate", "64", "--head-dim", "16",
                    "--seed", "5");
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "mistral", "qwen2", "qwen3"})
    void float16Model_scoresAPaddedBatch_likeFloat32_withinHalfPrecision(String arch) {
        Path dir = model(arch);
        long[] ids = {0, 0, 5, 17, 42, 8, 9, 30, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        long[] valid = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        try (NDManager manager = NDManager.newBaseManager();
             CausalLm full = CausalLm.load(dir, manager, Precision.FLOAT32);
             CausalLm half = CausalLm.load(dir, manager, Precision.FLOAT16)) {
            NDArray tokens = manager.create(ids, new Shape(2, 9));
            NDArray mask = manager.create(valid, new Shape(2, 9));
            float[] expected = full.logits(tokens, mask, ProjectionDelta.NONE).toFloatArray();
            NDArray logits = half.logits(tokens, mask, ProjectionDelta.NONE);

            assertEquals(DataType.FLOAT32, logits.getDataType());
            float[] actual = logits.toFloatArray();
            float scale = 0;
            for (float e : expected) {
                scale = Math.max(scale, Math.abs(e));
            }
            for (int i = 0; i < expected.length; i++) {
                if (valid[(i / 96)] == 1) {
                    assertEquals(expected[i], actual[i], 1e-2 * scale, arch + " logit " + i);
                }
            }
            assertEquals(full.weightBytes() / 2, half.weightBytes());
        }
    }

    @Test
    void float16Model_generatesWithTheEngine_withFiniteLogprobs() {
        Path dir = model("qwen3");
        try (NDManager manager = NDManager.newBaseManager();
             CausalLm half = CausalLm.load(dir, manager, Precision.FLOAT16)) {
            List<Completion> out = new Generator(half).generate(Prompt.repeated(new int[]{1, 17, 42}, 3, 7),
                    new GenerationSettings(new SamplingParams(1.0, 0, 1.0, 0.0), 12), ProjectionDelta.NONE,
                    TokenListener.NONE);
            assertEquals(3, out.size());
            for (Completion c : out) {
                assertTrue(c.tokenIds().length > 0);
                for (float lp : c.logprobs()) {
                    assertTrue(Float.isFinite(lp) && lp <= 0, "logprob " + lp);
                }
            }
        }
    }

    @Test
    void grpoStep_onFloat16Model_trainsAFloat32Adapter_withTheLossOfFloat32() {
        Path dir = model("llama");
        LoraConfig lora = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, dir.toString());
        StepCase c = new StepCase(new int[]{1, 17, 42}, new int[][]{{5, 6, 7}, {8, 9}, {10, 11, 12, 13}, {14}}, 2);
        StepSettings settings = StepSettings.DEFAULTS.withLearningRate(1e-2);
        try (NDManager manager = NDManager.newBaseManager();
             CausalLm full = CausalLm.load(dir, manager, Precision.FLOAT32);
             CausalLm half = CausalLm.load(dir, manager, Precision.FLOAT16);
             TrainingState a = TrainingState.fresh(dir, lora, 11, manager);
             TrainingState b = TrainingState.fresh(dir, lora, 11, manager)) {
            String before = b.adapter().sha256();
            StepResult expected = new PolicyStep(full::logits).apply(a, c, settings);
            StepResult actual = new PolicyStep(half::logits).apply(b, c, settings);

            assertEquals(expected.loss(), actual.loss(), 1e-2 * Math.abs(expected.loss()));
            assertEquals(expected.gradNorm(), actual.gradNorm(), 5e-2 * expected.gradNorm());
            assertNotEquals(before, b.adapter().sha256());
            for (NDArray p : b.adapter().parameters()) {
                assertEquals(DataType.FLOAT32, p.getDataType());
                for (float v : p.toFloatArray()) {
                    assertFalse(Float.isNaN(v) || Float.isInfinite(v));
                }
            }
        }
    }

    @Test
    void auto_isFloat16OnAGpu_andFloat32OnTheCpu_andBfloat16IsRefusedWithTheReason() {
        assertEquals(Precision.FLOAT16, Precision.parse("auto", Device.gpu()));
        assertEquals(Precision.FLOAT32, Precision.parse("auto", Device.cpu()));
        assertEquals(Precision.FLOAT32, Precision.parse("float32", Device.gpu()));
        assertEquals(Precision.FLOAT16, Precision.parse("fp16", Device.cpu()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Precision.parse("bf16", Device.gpu()));
        assertTrue(e.getMessage().contains("JNI"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Precision.parse("int8", Device.cpu()));
    }
}
