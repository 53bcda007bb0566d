package dev.espalier.policy.generate;

import dev.espalier.policy.sampling.SamplingParams;

/**
 * @param sampling     how each token is drawn
 * @param maxNewTokens the most tokens a completion may get (it also ends at the model's context length)
 * @param stopAtEos    end a completion at an EOS id (false only for benchmarks that need fixed lengths)
 */
public record GenerationSettings(SamplingParams sampling, int maxNewTokens, boolean stopAtEos) {

    public GenerationSettings {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        }
    }

    public GenerationSettings(SamplingParams sampling, int maxNewTokens) {
        this(sampling, maxNewTokens, true);
    }
}
