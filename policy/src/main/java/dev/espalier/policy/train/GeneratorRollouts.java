package dev.espalier.policy.train;

import dev.espalier.policy.generate.Completion;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.generate.Generator;
import dev.espalier.policy.generate.Prompt;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ProjectionDelta;

import java.util.List;

/** The autopilot's rollouts from the real generator (KV cache, sampling filters, EOS kept in the completion). */
public final class GeneratorRollouts implements Autopilot.Rollouts {

    private final Generator generator;
    private final GenerationSettings settings;

    public GeneratorRollouts(CausalLm model, GenerationSettings settings) {
        this.generator = new Generator(model);
        this.settings = settings;
    }

    @Override
    public List<int[]> sample(int[] promptIds, int n, long seed, ProjectionDelta delta) {
        return generator.generate(Prompt.repeated(promptIds, n, seed), settings, delta, TokenListener.NONE).stream()
                .map(Completion::tokenIds)
                .toList();
    }
}
