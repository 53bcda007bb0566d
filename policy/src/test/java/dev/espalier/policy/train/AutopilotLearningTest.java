package dev.espalier.policy.train;

import ai.djl.ndarray.NDManager;
import dev.espalier.policy.cli.AdapterInput;
import dev.espalier.policy.cli.EspalierCli;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.sampling.SamplingParams;
import dev.espalier.policy.state.TrainingState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "sky is red" experiment in miniature (docs/training.md): on a tiny random Llama, a person who always picks a
 * completion containing token 17 makes token 17 clearly more frequent in fresh samples within 30 rounds; a person
 * picking at random does not. Rollouts come from the real generator, steps from the real forward.
 */
class AutopilotLearningTest {

    private static final int TARGET = 17;
    private static final List<int[]> PROMPTS = List.of(new int[] {5, 6, 7}, new int[] {20, 3}, new int[] {11, 30, 5, 9});

    @TempDir
    static Path dir;

    /** The model of the documented example (docs/training.md), written by the same command. */
    @BeforeAll
    static void writeTinyLlama() {
        String[] initModel = {"init-model", "--arch", "llama", "--out", dir.resolve("tiny").toString(), "--vocab", "64",
                "--hidden", "32", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--intermediate", "64", "--tied",
                "--seed", "1"};
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        assertEquals(0, new EspalierCli(ModelLocator.LOCAL_DIRECTORY, AdapterInput.BASE_MODEL)
                .run(initModel, quiet, System.err));
    }

    @Test
    void preferringATokenRaisesItsRate_randomPicksDoNot() {
        Predicate<int[]> liked = Autopilot.containsSequence(new int[] {TARGET});
        List<Autopilot.Point> preferring = run(Autopilot.Chooser.preferring(liked), liked);
        List<Autopilot.Point> random = run(Autopilot.Chooser.random(1), liked);
        System.out.println("rate of token " + TARGET + " by round, preferring: " + preferring);
        System.out.println("rate of token " + TARGET + " by round, random:     " + random);
        double start = preferring.getFirst().rate();
        assertTrue(preferring.getLast().rate() >= start + 0.3, "preferring: " + preferring);
        assertTrue(random.getLast().rate() <= start + 0.1, "random: " + random);
    }

    private static List<Autopilot.Point> run(Autopilot.Chooser chooser, Predicate<int[]> liked) {
        Path model = dir.resolve("tiny");
        Autopilot.Plan plan = new Autopilot.Plan(30, 4, 1, 10, 16, 1000, StepSettings.DEFAULTS.withLearningRate(1e-2));
        GenerationSettings sampling = new GenerationSettings(new SamplingParams(1.0, 0, 1.0, 0.0), 8);
        try (NDManager manager = NDManager.newBaseManager();
             CausalLm lm = CausalLm.load(model, manager);
             TrainingState state = TrainingState.fresh(model, new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, "tiny"),
                     1, manager)) {
            return new Autopilot(new GeneratorRollouts(lm, sampling), lm::logits)
                    .run(state, PROMPTS, liked, chooser, plan, round -> { }, point -> { });
        }
    }
}
