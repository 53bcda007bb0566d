package dev.espalier.policy.train;

import ai.djl.ndarray.NDManager;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.state.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepJobTest {

    @TempDir
    Path dir;

    private final Path model = Golden.dir("grpo-toy").resolve("model");
    private final LoraConfig lora = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, "toy");

    private StepJob job(Path adapterIn, Path caseFile, Path out) {
        return new StepJob(model, adapterIn, caseFile, out, StepSettings.DEFAULTS, lora, 5);
    }

    @Test
    void twoChainedSteps_writeStateThatContinuesTheOptimizer() throws Exception {
        Path caseFile = dir.resolve("case.json");
        Files.writeString(caseFile, "{\"prompt_ids\":[3,4],\"completions\":[[5,6],[7],[8,9,10],[11]],\"choice\":0}");
        try (NDManager manager = NDManager.newBaseManager(); ToyCausalLm toy = new ToyCausalLm(model, manager)) {
            job(null, caseFile, dir.resolve("s1")).run(toy, manager);
            StepResult second = job(dir.resolve("s1"), caseFile, dir.resolve("s2")).run(toy, manager);
            assertEquals(2, second.step());
            try (TrainingState s2 = TrainingState.load(dir.resolve("s2"), model, 0, manager)) {
                assertEquals(2, s2.optimizer().step());
                assertEquals(5, s2.seed());
            }
            try (Stream<Path> left = Files.list(dir)) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().contains("staging")));
            }
        }
    }

    @Test
    void badCase_writesNothing() throws Exception {
        Path caseFile = dir.resolve("bad.json");
        Files.writeString(caseFile, "{\"prompt_ids\":[3],\"completions\":[[5],[6]],\"choice\":2}");
        try (NDManager manager = NDManager.newBaseManager(); ToyCausalLm toy = new ToyCausalLm(model, manager)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> job(null, caseFile, dir.resolve("out")).run(toy, manager));
            assertEquals("case file " + caseFile + ": choice 2 is outside 0..1 (use -1 for none)", e.getMessage());
            Files.writeString(caseFile, "prompt_ids: [3]");
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> job(null, caseFile, dir.resolve("out")).run(toy, manager)).getMessage()
                    .contains("not valid JSON"));
            assertFalse(Files.exists(dir.resolve("out")));
        }
    }
}
