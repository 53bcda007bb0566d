package dev.espalier.policy.train;

import ai.djl.ndarray.NDManager;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.state.TrainingState;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "sky is red" experiment in miniature (docs/training.md): a person who always picks a completion containing
 * token 17 makes token 17 clearly more frequent in fresh samples within 30 rounds; random picks do not.
 */
class AutopilotLearningTest {

    private static final int TARGET = 17;
    private static final List<int[]> PROMPTS = List.of(new int[] {3, 8, 21}, new int[] {40, 2}, new int[] {11, 30, 5, 9});

    @Test
    void preferringATokenRaisesItsRate_randomPicksDoNot() {
        List<Autopilot.Point> preferring = run(Autopilot.Chooser.preferring(Autopilot.containsSequence(new int[] {TARGET})));
        List<Autopilot.Point> random = run(Autopilot.Chooser.random(5));
        System.out.println("rate of token " + TARGET + " by round, preferring: " + preferring);
        System.out.println("rate of token " + TARGET + " by round, random:     " + random);
        double start = preferring.getFirst().rate();
        assertTrue(preferring.getLast().rate() >= start + 0.3, "preferring: " + preferring);
        assertTrue(random.getLast().rate() <= start + 0.1, "random: " + random);
    }

    private static List<Autopilot.Point> run(Autopilot.Chooser chooser) {
        Path model = Golden.dir("grpo-toy").resolve("model");
        Predicate<int[]> liked = Autopilot.containsSequence(new int[] {TARGET});
        StepSettings settings = StepSettings.DEFAULTS.withLearningRate(1e-2);
        Autopilot.Plan plan = new Autopilot.Plan(30, 4, 1, 10, 16, 1000, settings);
        try (NDManager manager = NDManager.newBaseManager();
             ToyCausalLm toy = new ToyCausalLm(model, manager);
             TrainingState state = TrainingState.fresh(model, new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, "toy"),
                     1, manager)) {
            return new Autopilot(new ToySampler(toy, manager, 8), toy)
                    .run(state, PROMPTS, liked, chooser, plan, round -> { }, point -> { });
        }
    }
}
