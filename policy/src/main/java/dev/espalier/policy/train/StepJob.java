package dev.espalier.policy.train;

import ai.djl.ndarray.NDManager;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.state.StateDirectory;
import dev.espalier.policy.state.TrainingState;

import java.nio.file.Path;

/**
 * One step from files to files, as {@code espalier step} and a trainer journal replay run it: read the case, load the
 * state (or start one from the seed), step, publish the new state. Every input is read and checked before the step,
 * and the output appears only after the step succeeded, so bad input writes nothing.
 *
 * @param modelDir   the base model (for the adapter's target shapes)
 * @param adapterIn  a state or PEFT adapter directory, or null to start a fresh adapter from {@code seed}
 * @param lora       rank, alpha and targets of a fresh adapter (a loaded one keeps its own)
 */
public record StepJob(Path modelDir, Path adapterIn, Path caseFile, Path outDir, StepSettings settings,
                      LoraConfig lora, long seed) {

    public StepResult run(CausalForward model, NDManager manager) {
        StepCase stepCase = StepCase.read(caseFile);
        try (TrainingState state = adapterIn == null
                ? TrainingState.fresh(modelDir, lora, seed, manager)
                : TrainingState.load(adapterIn, modelDir, seed, manager)) {
            StepResult result = new PolicyStep(model).apply(state, stepCase, settings);
            StateDirectory.publish(state, outDir);
            return result;
        }
    }
}
