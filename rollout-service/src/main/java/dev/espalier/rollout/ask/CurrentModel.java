package dev.espalier.rollout.ask;

import dev.espalier.events.SessionConfig;
import dev.espalier.policy.generate.Completion;
import dev.espalier.policy.generate.GenerationSettings;
import dev.espalier.policy.generate.Generator;
import dev.espalier.policy.generate.Prompt;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.text.StreamingDecoder;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.rollout.generation.ModelTurns;
import dev.espalier.rollout.generation.SessionPrompting;
import dev.espalier.rollout.policy.PolicySource;
import java.util.List;
import java.util.UUID;

/**
 * Answers a free question with a session's policy of a given version, its prompt format and its sampling, in the
 * model's turn ({@link ModelTurns}) so the game's rollouts are neither disturbed nor starved. The sampling seed is
 * the session's seed mixed with the question, so asking the same thing of the same version gives the same answer.
 */
public final class CurrentModel {

    private final CausalLm model;
    private final TextTokenizer tokenizer;
    private final PolicySource policies;
    private final ModelTurns turns;

    public CurrentModel(CausalLm model, TextTokenizer tokenizer, PolicySource policies, ModelTurns turns) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.policies = policies;
        this.turns = turns;
    }

    public Answer ask(UUID sessionId, SessionConfig config, long policyVersion, String question, int maxNewTokens) {
        int[] promptIds = SessionPrompting.format(config.format()).encode(tokenizer, question);
        GenerationSettings settings = SessionPrompting.settings(config.sampling(), maxNewTokens);
        long seed = SessionPrompting.fixedSeed(config.sampling().seed(), question);
        // On the process's model thread, like rollouts (SharedModels#run), in its turn.
        Completion c = turns.take(() -> SharedModels.run(() -> {
            ProjectionDelta policy = policies.policy(sessionId, policyVersion);
            return new Generator(model).generate(List.of(new Prompt(promptIds, seed)), settings, policy,
                    TokenListener.NONE).getFirst();
        }));
        // Decoded as the rollout cards are, so an answer here reads like the same answer in the game.
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        for (int id : c.tokenIds()) {
            decoder.push(id);
        }
        decoder.flush();
        return new Answer(decoder.text(), c.tokenIds().length, policyVersion, c.finishReason().json());
    }
}
