package dev.espalier.rollout.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.index.NDIndex;
import dev.espalier.events.ChatMessage;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.policy.cli.TinyChatModel;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.rollout.ask.CurrentModel;
import dev.espalier.rollout.policy.PolicySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The game's rollouts on the tiny real Qwen3 with its real tokenizer, without Quarkus or Kafka. */
class RolloutEngineTest {

    private static final String CONTROL = "Say hello.";
    private static final UUID SESSION = UUID.randomUUID();
    /** Version 2's "adapter": a large shift of one projection, so its answers differ from the base model's. */
    private static final ProjectionDelta VERSION_2 = (path, x) -> path.equals("model.layers.0.mlp.down_proj")
            ? x.get(new NDIndex("..., :32")).mul(40) : null;
    private static final PolicySource POLICIES = (session, version) -> version == 2 ? VERSION_2 : ProjectionDelta.NONE;
    private static final SessionConfig.Sampling SAMPLING = new SessionConfig.Sampling(1.0, 0, 1, 10, 7);
    private static final SessionConfig.PromptFormat FORMAT =
            new SessionConfig.PromptFormat(SessionConfig.PromptFormat.Mode.CHAT, null, "", "");

    private static Path model;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void tinyModel() throws Exception {
        model = TinyChatModel.create(Files.createTempDirectory("espalier-rollouts-").resolve("model"),
                Path.of("target", "npm"), 32, 9);
        tokenizer = TextTokenizer.load(model);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static PromptIssued prompt(String text, long policyVersion) {
        return new PromptIssued(UUID.randomUUID(), SESSION, Instant.now(), null, UUID.randomUUID(), UUID.randomUUID(),
                policyVersion, 0, List.of(ChatMessage.user(text)), FORMAT, SAMPLING, 4, CONTROL);
    }

    private static RolloutsReady generate(PromptIssued p) {
        return new RolloutEngine(SharedModels.get(model), tokenizer, POLICIES, Clock.systemUTC(), TokenListener.NONE)
                .generate(p, 0, delta -> { });
    }

    @Test
    void controlPrompt_isSampledWithTheSameSeedAtEveryStep_soOnlyThePolicyChangesIt() {
        RolloutsReady first = generate(prompt("Tell me about cats", 0));
        RolloutsReady second = generate(prompt("Tell me about dogs", 0));
        RolloutsReady afterSteps = generate(prompt("Tell me about dogs", 2));

        assertEquals(first.control().tokenIds(), second.control().tokenIds(), "same policy, same control answer");
        assertNotEquals(first.control().tokenIds(), afterSteps.control().tokenIds(), "another policy, another answer");
        // It is the answer "ask the model" gives for the control prompt at that version, with the same length limit.
        SessionConfig config = new SessionConfig(model.toString(),
                new SessionConfig.PromptSourceSpec(SessionConfig.PromptSourceSpec.Kind.TYPED, null, null, null,
                        List.of("a prompt"), 1),
                FORMAT, 4, SAMPLING, new SessionConfig.Lora(4, 8, SessionConfig.Lora.DEFAULT_TARGETS),
                SessionConfig.Objective.GRPO, 1e-2, 0.03, 0, 1.0, 0.1, 5, CONTROL);
        CurrentModel ask = new CurrentModel(SharedModels.get(model), tokenizer, POLICIES, new ModelTurns());
        assertEquals(afterSteps.control().text(), ask.ask(SESSION, config, 2, CONTROL, 10).text());
    }

    @Test
    void rollouts_ofTwoIssuesOfTheSamePrompt_areSampledAfresh() {
        RolloutsReady once = generate(prompt("Tell me about cats", 0));
        RolloutsReady again = generate(prompt("Tell me about cats", 0));

        assertEquals(once.promptTokenIds(), again.promptTokenIds());
        assertNotEquals(once.rollouts().stream().map(RolloutsReady.Rollout::tokenIds).toList(),
                again.rollouts().stream().map(RolloutsReady.Rollout::tokenIds).toList(),
                "a prompt asked again gets new answers to choose from");
    }
}
