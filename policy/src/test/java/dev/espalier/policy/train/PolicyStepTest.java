package dev.espalier.policy.train;

import dev.espalier.policy.model.NonFiniteValuesException;
import ai.djl.ndarray.NDManager;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.state.TrainingState;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyStepTest {

    private static final LoraConfig CONFIG = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, "toy");
    private static final StepCase CASE =
            new StepCase(new int[] {5, 9, 2}, new int[][] {{4, 4, 7}, {8}, {3, 1}, {30, 31, 32, 33}}, 1);

    @Test
    void firstStep_movesOnlyB_byAboutLr_andReportsGroupAdvantages() {
        Path model = Golden.dir("grpo-toy").resolve("model");
        try (NDManager manager = NDManager.newBaseManager();
             ToyCausalLm toy = new ToyCausalLm(model, manager);
             TrainingState state = TrainingState.fresh(model, CONFIG, 11, manager)) {
            String before = state.adapter().sha256();
            float[] a0 = state.adapter().parameters().get(0).toFloatArray();
            StepResult r = new PolicyStep(toy).apply(state, CASE, StepSettings.DEFAULTS);
            assertNotEquals(before, state.adapter().sha256());
            // B = 0 at the start, so A has no gradient yet (dL/dA ∝ B) and the identity adapter has zero drift.
            assertArrayEquals(a0, state.adapter().parameters().get(0).toFloatArray());
            assertEquals(0.0, r.klTerm());
            float bMax = state.adapter().parameters().get(1).abs().max().getFloat();
            assertTrue(bMax > 0.5e-5 && bMax <= 2.0001e-5, "Adam's first step is ~lr per element: " + bMax);
            assertArrayEquals(new double[] {-0.57735, 1.73205, -0.57735, -0.57735}, r.advantages(), 1e-5);
            assertEquals(1, r.step());
            assertEquals(1, state.optimizer().step());
        }
    }

    @Test
    void failedStep_leavesStateUnchanged_andTheNextStepIsUnaffected() {
        Path model = Golden.dir("grpo-toy").resolve("model");
        String expected;
        try (NDManager manager = NDManager.newBaseManager();
             ToyCausalLm toy = new ToyCausalLm(model, manager);
             TrainingState clean = TrainingState.fresh(model, CONFIG, 11, manager)) {
            new PolicyStep(toy).apply(clean, CASE, StepSettings.DEFAULTS);
            expected = clean.adapter().sha256();
        }
        try (NDManager manager = NDManager.newBaseManager();
             ToyCausalLm toy = new ToyCausalLm(model, manager);
             TrainingState state = TrainingState.fresh(model, CONFIG, 11, manager)) {
            String before = state.adapter().sha256();
            // A forward that breaks after the backward graph exists: logits turn to NaN only with the adapter on.
            CausalForward poisoned = (ids, mask, delta, from) -> {
                var logits = toy.logits(ids, mask, delta, from);
                return delta == dev.espalier.policy.model.ProjectionDelta.NONE ? logits : logits.mul(Float.NaN);
            };
            NonFiniteValuesException e = assertThrows(NonFiniteValuesException.class,
                    () -> new PolicyStep(poisoned).apply(state, CASE, StepSettings.DEFAULTS));
            assertTrue(e.getMessage().contains("state unchanged"), e.getMessage());
            assertEquals(before, state.adapter().sha256());
            assertEquals(0, state.optimizer().step());
            new PolicyStep(toy).apply(state, CASE, StepSettings.DEFAULTS);
            assertEquals(expected, state.adapter().sha256(), "no gradient left over from the failed step");
        }
    }

    @Test
    void stepCase_rejectsBadInput_namingTheProblem() {
        assertEquals("choice 4 is outside 0..3 (use -1 for none)", assertThrows(IllegalArgumentException.class,
                () -> StepCase.parse("{\"prompt_ids\":[1],\"completions\":[[1],[2],[3],[4]],\"choice\":4}"))
                .getMessage());
        assertEquals("completions[1] is empty (every completion needs >= 1 token)",
                assertThrows(IllegalArgumentException.class, () -> StepCase.parse(
                        "{\"prompt_ids\":[1],\"completions\":[[1],[],[3],[4]],\"choice\":0}")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StepCase.parse("{\"prompt_ids\":[1,"))
                .getMessage().startsWith("not valid JSON"));
        assertEquals(-1, StepCase.parse("{\"prompt_ids\":[1],\"completions\":[[1],[2]],\"choice\":-1}").choice());
        assertEquals(List.of(-1.0, -1.0), java.util.Arrays.stream(GrpoMath.advantages(-1, 2)).boxed().toList());
    }
}
