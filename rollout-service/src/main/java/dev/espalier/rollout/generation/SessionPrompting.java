package dev.espalier.rollout.generation;

import dev.espalier.events.SessionConfig;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.sampling.SamplingParams;
import dev.espalier.policy.text.PromptFormat;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** How a session's settings turn a text into model input, shared by the game's rollouts and "ask the model". */
public final class SessionPrompting {

    private SessionPrompting() {
    }

    public static PromptFormat format(SessionConfig.PromptFormat f) {
        return switch (f.mode()) {
            case CHAT -> new PromptFormat(PromptFormat.Mode.CHAT, f.systemPrompt(), f.prefix(), f.suffix());
            case RAW -> new PromptFormat(PromptFormat.Mode.RAW, null, f.prefix(), f.suffix());
        };
    }

    /** A session's sampling as the generator takes it (the session has no top-k). */
    public static GenerationSettings settings(SessionConfig.Sampling s, int maxNewTokens) {
        return new GenerationSettings(new SamplingParams(s.temperature(), 0, s.topP(), s.minP()), maxNewTokens);
    }

    /**
     * The sampling seed of a fixed text asked of a session's policy (the control prompt, a question): the session's
     * seed mixed with the text, the same at every step, so that what changes between two versions' answers is the
     * policy, not the dice.
     */
    public static long fixedSeed(long sessionSeed, String text) {
        return sessionSeed ^ UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
    }
}
