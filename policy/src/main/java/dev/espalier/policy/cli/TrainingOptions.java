package dev.espalier.policy.cli;

import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.train.Aggregation;
import dev.espalier.policy.train.Objective;
import dev.espalier.policy.train.StepSettings;

/** The training arguments {@code step} and {@code autopilot} share (DESIGN.md §6), defaults from DESIGN.md §1. */
final class TrainingOptions {

    private TrainingOptions() {
    }

    static StepSettings settings(Args args) {
        StepSettings d = StepSettings.DEFAULTS;
        return new StepSettings(
                Objective.parse(args.string("objective", "grpo")),
                Aggregation.parse(args.string("aggregation", d.aggregation().option())),
                args.number("lr", d.learningRate()),
                args.number("kl-beta", d.klBeta()),
                args.number("weight-decay", d.weightDecay()),
                args.number("max-grad-norm", d.maxGradNorm()),
                args.number("dpo-beta", d.dpoBeta()));
    }

    /** Rank, alpha and targets of a fresh adapter ({@code --lora-targets q_proj,v_proj}); a loaded one keeps its own. */
    static LoraConfig lora(Args args, String baseModel) {
        LoraConfig d = LoraConfig.defaults(baseModel);
        return new LoraConfig(args.integer("lora-rank", d.rank()), args.number("lora-alpha", d.alpha()),
                args.has("lora-targets") ? java.util.List.of(args.string("lora-targets").split(",")) : d.targets(),
                baseModel);
    }
}
