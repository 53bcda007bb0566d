package dev.espalier.rollout.ask;

import dev.espalier.policy.cli.TinyChatModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.index.NDIndex;
import dev.espalier.events.SessionConfig;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.rollout.generation.ModelTurns;
import dev.espalier.rollout.policy.PolicySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** "Ask the current model" on the tiny real Qwen3 with its real tokenizer, without Quarkus. */
class CurrentModelTest {

    private static final UUID SESSION = UUID.randomUUID();
    private static Path model;

    /** Version 3's "adapter": a large shift of one projection, so its answers differ from the base model's. */
    private static final ProjectionDelta VERSION_3 = (path, x) -> path.equals("model.layers.0.mlp.down_proj")
            ? x.get(new NDIndex("..., :32")).mul(40) : null;

    private final List<String> fetched = new CopyOnWriteArrayList<>();
    private final PolicySource policies = (session, version) -> {
        fetched.add(session + "@" + version);
        return version == 3 ? VERSION_3 : ProjectionDelta.NONE;
    };

    @BeforeAll
    static void tinyModel() throws Exception {
        model = TinyChatModel.create(Files.createTempDirectory("espalier-ask-").resolve("model"), Path.of("target", "npm"), 32, 9);
    }

    private static SessionConfig config(SessionConfig.PromptFormat.Mode mode) {
        return new SessionConfig(model.toString(),
                new SessionConfig.PromptSourceSpec(SessionConfig.PromptSourceSpec.Kind.TYPED, null, null, null,
                        List.of("a prompt"), 1),
                new SessionConfig.PromptFormat(mode, null, "", ""), 4,
                new SessionConfig.Sampling(1.0, 0, 1, 16, 7),
                new SessionConfig.Lora(4, 8, SessionConfig.Lora.DEFAULT_TARGETS),
                SessionConfig.Objective.GRPO, 1e-2, 0.03, 0, 1.0, 0.1, 5, null);
    }

    @Test
    void ask_answersWithTheAdapterOfTheVersionAsked_reproducibly() {
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            CurrentModel current = new CurrentModel(SharedModels.get(model), tokenizer, policies, new ModelTurns());
            SessionConfig config = config(SessionConfig.PromptFormat.Mode.CHAT);

            Answer atBase = current.ask(SESSION, config, 0, "Say hello.", 12);
            Answer atV3 = current.ask(SESSION, config, 3, "Say hello.", 12);
            Answer again = current.ask(SESSION, config, 3, "Say hello.", 12);

            assertEquals(List.of(SESSION + "@0", SESSION + "@3", SESSION + "@3"), fetched);
            assertEquals(3, atV3.policyVersion());
            assertEquals(atV3, again, "same question, same version: same answer");
            assertNotEquals(atBase.text(), atV3.text(), "another adapter, another answer");
            for (Answer a : List.of(atBase, atV3)) {
                assertTrue(a.tokens() >= 1 && a.tokens() <= 12, "tokens " + a.tokens());
                assertTrue(a.finishReason().equals("length") == (a.tokens() == 12), a.toString());
                assertFalse(a.text().isEmpty(), a.toString());
            }
        }
    }
}
