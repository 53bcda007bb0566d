package dev.espalier.policy.cli;

import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.model.ProjectionDelta;

/**
 * {@code --adapter DIR} for score and generate: a PEFT LoRA adapter checked against the base model. Its arrays live in
 * the model's manager and go when the command's manager closes.
 */
final class LoraAdapterInput implements AdapterInput {

    private final ModelLocator models;

    LoraAdapterInput(ModelLocator models) {
        this.models = models;
    }

    @Override
    public ProjectionDelta delta(Args args, CausalLm model) {
        if (!args.has("adapter")) {
            return ProjectionDelta.NONE;
        }
        return LoraAdapter.load(args.directory("adapter"), models.locate(args.string("model")), model.manager());
    }
}
