package dev.espalier.session.api;

import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionConfig.Lora;
import dev.espalier.events.SessionConfig.PromptFormat;
import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.events.SessionConfig.Sampling;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The setup form (DESIGN.md §1). Only {@code model} and {@code prompts} are required; everything left out takes the
 * default from {@link SessionConfig}, and seeds left out are drawn once and recorded in SessionCreated.
 */
public record CreateSessionRequest(String model, Prompts prompts, PromptFormat.Mode mode, String systemPrompt,
                                   String prefix, String suffix, Integer groupSize, SamplingSettings sampling,
                                   LoraSettings lora, SessionConfig.Objective objective, Double learningRate,
                                   Double klBeta, Double weightDecay, Double maxGradNorm, Double dpoBeta,
                                   Integer checkpointEvery, String controlPrompt) {

    /** {@code kind} LOCAL_FILE (location = path), HF_DATASET (location = dataset id) or TYPED (typed = prompts). */
    public record Prompts(PromptSourceSpec.Kind kind, String location, String revision, String textColumn,
                          List<String> typed, Long orderSeed) {
    }

    public record SamplingSettings(Double temperature, Double minP, Double topP, Integer maxNewTokens, Long seed) {
    }

    public record LoraSettings(Integer rank, Double alpha, List<String> targets) {
    }

    SessionConfig toConfig(LongSupplier randomSeed) {
        if (prompts == null) {
            throw new SessionConfig.InvalidConfigException("prompts", "is required");
        }
        SamplingSettings s = sampling == null ? new SamplingSettings(null, null, null, null, null) : sampling;
        LoraSettings l = lora == null ? new LoraSettings(null, null, null) : lora;
        long seed = s.seed() != null ? s.seed() : randomSeed.getAsLong();
        return new SessionConfig(model,
                new PromptSourceSpec(prompts.kind(), prompts.location(), prompts.revision(), prompts.textColumn(),
                        prompts.typed(), or(prompts.orderSeed(), seed)),
                new PromptFormat(or(mode, PromptFormat.Mode.CHAT), systemPrompt, prefix, suffix),
                or(groupSize, SessionConfig.DEFAULT_GROUP_SIZE),
                new Sampling(or(s.temperature(), Sampling.DEFAULT_TEMPERATURE), or(s.minP(), Sampling.DEFAULT_MIN_P),
                        or(s.topP(), Sampling.DEFAULT_TOP_P), or(s.maxNewTokens(), Sampling.DEFAULT_MAX_NEW_TOKENS),
                        seed),
                new Lora(or(l.rank(), Lora.DEFAULT_RANK), or(l.alpha(), Lora.DEFAULT_ALPHA),
                        or(l.targets(), Lora.DEFAULT_TARGETS)),
                or(objective, SessionConfig.Objective.GRPO),
                or(learningRate, SessionConfig.DEFAULT_LEARNING_RATE),
                or(klBeta, SessionConfig.DEFAULT_KL_BETA),
                or(weightDecay, SessionConfig.DEFAULT_WEIGHT_DECAY),
                or(maxGradNorm, SessionConfig.DEFAULT_MAX_GRAD_NORM),
                or(dpoBeta, SessionConfig.DEFAULT_DPO_BETA),
                or(checkpointEvery, SessionConfig.DEFAULT_CHECKPOINT_EVERY),
                controlPrompt);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
