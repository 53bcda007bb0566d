package dev.espalier.policy.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.espalier.policy.state.TrainingState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One and three steps from the same PEFT-written adapter, against tools/grpo_reference.py (torch AdamW,
 * clip_grad_norm_, peft's disable_adapter for the reference pass) on the toy model. Settings per run are read from
 * the fixture: clipping on and off, weight decay, KL weight, every aggregation, and DPO. Two models: the toy twin
 * (checks the step alone) and a tiny transformers LlamaForCausalLM through the real CausalLm forward.
 */
class PolicyStepGoldenTest {

    /** DESIGN.md: Java matches the PyTorch reference within 1e-5 relative. */
    private static final double TOLERANCE = 1e-5;
    /** K is a mean of squared differences of nearly equal sums (S − R): float32 cancellation costs a digit. */
    private static final double KL_TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"grpo-toy, grpo-seq-mean, whole", "grpo-toy, grpo-seq-sum, whole", "grpo-toy, grpo-token-mean, whole",
            "grpo-toy, dpo, whole", "grpo-llama, grpo-seq-mean, whole", "grpo-llama, grpo-seq-sum, whole",
            "grpo-llama, grpo-token-mean, whole", "grpo-llama, dpo, whole",
            "grpo-llama, grpo-seq-mean, sliced", "grpo-llama, grpo-token-mean, sliced", "grpo-llama, dpo, sliced"})
    void steps_matchPytorchPeftReference_afterOneAndThreeSteps(String fixture, String run, String slicing) {
        Path golden = Golden.dir(fixture);
        JsonNode expectedJson = Golden.json(golden.resolve(run).resolve("metrics.json"));
        StepSettings settings = settings(expectedJson.get("settings"));
        List<StepCase> cases = Golden.cases(golden);
        try (NDManager manager = NDManager.newBaseManager();
             Golden.Model model = Golden.model(fixture, manager);
             TrainingState state = TrainingState.load(golden.resolve("start"), golden.resolve("model"), 0, manager)) {
            if (slicing.equals("sliced")) {
                // Two positions per slice: the step scores the completions in several pieces.
                int rows = cases.get(0).groupSize();
                settings = settings.withLogitChunkBytes(2L * rows * Float.BYTES
                        * ((ChunkedForward) model).vocabularySize());
            }
            PolicyStep step = new PolicyStep(model);
            for (int s = 1; s <= 3; s++) {
                StepResult result = step.apply(state, cases.get(s - 1), settings);
                if (model instanceof Golden.SlicingModel counted) {
                    // Whole, the step projects inside logits(); sliced, it projects slice by slice, twice per pass.
                    assertEquals(slicing.equals("sliced"), counted.projections() > 0, run + " " + slicing + " step "
                            + s + " projected " + counted.projections() + " slices");
                }
                JsonNode expected = expectedJson.get("steps").get(s - 1);
                Golden.assertRelative(expected.get("policy").asDouble(), result.policyTerm(), TOLERANCE,
                        run + " policy term " + s);
                // P and β·K may nearly cancel: the loss is held to 1e-5 of the size of its terms.
                double scale = Math.abs(expected.get("policy").asDouble())
                        + settings.klBeta() * expected.get("kl").asDouble();
                assertTrue(Math.abs(result.loss() - expected.get("loss").asDouble()) <= TOLERANCE * scale,
                        run + " loss " + s + ": expected " + expected.get("loss") + " got " + result.loss());
                Golden.assertRelative(expected.get("grad_norm").asDouble(), result.gradNorm(), TOLERANCE,
                        run + " grad norm " + s);
                Golden.assertRelative(expected.get("kl").asDouble(), result.klTerm(), KL_TOLERANCE, run + " kl " + s);
                if (s == 1 || s == 3) {
                    List<String> keys = state.adapter().parameterKeys();
                    Path moments = golden.resolve(run).resolve("moments" + s + ".safetensors");
                    Golden.assertMomentsMatch(moments, keys, state.optimizer(), TOLERANCE, manager);
                    Golden.assertAdapterMatches(golden.resolve(run).resolve("after" + s + ".safetensors"), moments, s,
                            keys, state.adapter().parameters(), TOLERANCE, manager);
                }
            }
        }
    }

    static StepSettings settings(JsonNode s) {
        return new StepSettings(Objective.parse(s.get("objective").asText()),
                Aggregation.parse(s.get("aggregation").asText()), s.get("lr").asDouble(), s.get("kl_beta").asDouble(),
                s.get("wd").asDouble(), s.get("clip").asDouble(), s.path("dpo_beta").asDouble(0.1));
    }
}
