package dev.espalier.policy.cli;

import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ProjectionDelta;

/**
 * Reads the adapter of {@code score}/{@code generate} from the arguments. The LoRA loader plugs in here (reading
 * {@code --adapter DIR}); without it the base model is used and {@code --adapter} is rejected as unknown.
 */
@FunctionalInterface
public interface AdapterInput {

    ProjectionDelta delta(Args args, CausalLm model);

    AdapterInput BASE_MODEL = (args, model) -> ProjectionDelta.NONE;
}
