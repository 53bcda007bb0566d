package dev.espalier.policy.state;

import ai.djl.ndarray.NDManager;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.train.PolicyStep;
import dev.espalier.policy.train.StepCase;
import dev.espalier.policy.train.StepSettings;
import dev.espalier.policy.train.ToyCausalLm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** DESIGN.md §4: a node rebuilt from the nearest checkpoint plus the journaled inputs is the node, bit for bit. */
class ReplayTest {

    @TempDir
    Path dir;

    static Path toyModel() {
        try {
            return Path.of(ReplayTest.class.getResource("/golden/grpo-toy/model").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Twelve journaled steps with every kind of pick, varying lengths and a settings change halfway. */
    static List<StepCase> journal() {
        SplittableRandom rnd = new SplittableRandom(42);
        List<StepCase> cases = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            int[][] completions = new int[4][];
            for (int i = 0; i < 4; i++) {
                completions[i] = rnd.ints(1 + rnd.nextInt(6), 1, 48).toArray();
            }
            cases.add(new StepCase(rnd.ints(2 + rnd.nextInt(4), 1, 48).toArray(), completions, s % 5 - 1));
        }
        return cases;
    }

    static StepSettings settingsFor(int step) {
        StepSettings s = StepSettings.DEFAULTS.withLearningRate(1e-2);
        return step < 8 ? s : s.withLearningRate(3e-3);
    }

    @Test
    void replay_fromCheckpointAfterStep5_rebuildsStep12BitForBit() {
        List<StepCase> journal = journal();
        LoraConfig config = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, "toy");
        Path checkpoint = dir.resolve("step-5");
        String liveAdapter;
        String liveMoments;
        try (NDManager manager = NDManager.newBaseManager();
             ToyCausalLm model = new ToyCausalLm(toyModel(), manager);
             TrainingState live = TrainingState.fresh(toyModel(), config, 2026, manager)) {
            PolicyStep step = new PolicyStep(model);
            for (int s = 1; s <= 12; s++) {
                step.apply(live, journal.get(s - 1), settingsFor(s));
                if (s == 5) {
                    live.save(checkpoint);
                }
            }
            liveAdapter = live.adapter().sha256();
            live.save(dir.resolve("live-12"));
            liveMoments = Sha256Files.of(dir.resolve("live-12").resolve(TrainingState.OPTIMIZER_FILE));
        }
        try (NDManager manager = NDManager.newBaseManager();
             ToyCausalLm model = new ToyCausalLm(toyModel(), manager);
             TrainingState replayed = TrainingState.load(checkpoint, toyModel(), 0, manager)) {
            assertEquals(5, replayed.optimizer().step());
            assertEquals(2026, replayed.seed());
            PolicyStep step = new PolicyStep(model);
            for (int s = 6; s <= 12; s++) {
                step.apply(replayed, journal.get(s - 1), settingsFor(s));
            }
            assertEquals(liveAdapter, replayed.adapter().sha256());
            replayed.save(dir.resolve("replayed-12"));
            assertEquals(liveMoments,
                    Sha256Files.of(dir.resolve("replayed-12").resolve(TrainingState.OPTIMIZER_FILE)));
            assertEquals(Sha256Files.of(dir.resolve("live-12/adapter_model.safetensors")),
                    Sha256Files.of(dir.resolve("replayed-12/adapter_model.safetensors")));
        }
    }

    @Test
    void copy_isTheStateBitForBit_andStaysSo_whileTheOriginalSteps() {
        List<StepCase> journal = journal();
        LoraConfig config = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, "toy");
        try (NDManager manager = NDManager.newBaseManager();
             ToyCausalLm model = new ToyCausalLm(toyModel(), manager);
             TrainingState live = TrainingState.fresh(toyModel(), config, 2026, manager)) {
            PolicyStep step = new PolicyStep(model);
            step.apply(live, journal.get(0), settingsFor(1));
            String atOne = live.adapter().sha256();
            try (TrainingState kept = live.copy()) {
                live.save(dir.resolve("one"));
                step.apply(live, journal.get(1), settingsFor(2));
                step.apply(live, journal.get(2), settingsFor(3));

                assertEquals(atOne, kept.adapter().sha256());
                assertEquals(1, kept.optimizer().step());
                kept.save(dir.resolve("kept"));
                assertEquals(Sha256Files.of(dir.resolve("one").resolve(TrainingState.OPTIMIZER_FILE)),
                        Sha256Files.of(dir.resolve("kept").resolve(TrainingState.OPTIMIZER_FILE)));
                step.apply(kept, journal.get(1), settingsFor(2));
                step.apply(kept, journal.get(2), settingsFor(3));
                assertEquals(live.adapter().sha256(), kept.adapter().sha256());
            }
        }
    }
}
