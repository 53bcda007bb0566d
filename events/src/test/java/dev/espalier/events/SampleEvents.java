package dev.espalier.events;

import dev.espalier.events.SessionConfig.PromptFormat;
import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.events.SessionEvent.RolloutsReady.Rollout;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One fully populated instance of every event type, for round-trip tests. */
final class SampleEvents {
    static final UUID SESSION = UUID.fromString("00000000-0000-0000-0000-00000000005e");
    static final UUID ROOT = UUID.fromString("00000000-0000-0000-0000-0000000000a0");
    static final UUID NODE = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    static final Instant AT = Instant.parse("2026-11-21T06:00:00.123456Z");

    static SessionConfig config() {
        return new SessionConfig("HuggingFaceTB/SmolLM2-135M-Instruct",
                new PromptSourceSpec(PromptSourceSpec.Kind.LOCAL_FILE, "prompts.jsonl", null, "prompt", null, 7),
                new PromptFormat(PromptFormat.Mode.CHAT, "Be brief.", "", ""),
                4, new SessionConfig.Sampling(1.2, 0.1, 1.0, 256, 42),
                new SessionConfig.Lora(16, 16, SessionConfig.Lora.DEFAULT_TARGETS),
                SessionConfig.Objective.GRPO, 2e-5, 0.03, 0, 1.0, 0.1, 5, "Write a haiku about rain.");
    }

    static UUID id(int n) {
        return new UUID(0, n);
    }

    static List<SessionEvent> all() {
        SessionConfig config = config();
        Rollout r0 = new Rollout(0, "Hello", List.of(9906), List.of(-0.25), "eos");
        Rollout r1 = new Rollout(1, "Hi there, friend", List.of(13347, 1070, 11, 4333), List.of(-1.5, -0.0625, -3.0, -0.001), "length");
        return List.of(
                new SessionEvent.SessionCreated(id(1), SESSION, AT, null, config, ROOT, Actor.person("subject-7")),
                new SessionEvent.PromptIssued(id(2), SESSION, AT, id(1), NODE, ROOT, 0, 3,
                        List.of(ChatMessage.system("Be brief."), ChatMessage.user("Say hello")),
                        config.format(), config.sampling(), 4, config.controlPrompt()),
                new SessionEvent.RolloutsReady(id(3), SESSION, AT, id(2), id(2), 0, List.of(1, 2, 3),
                        List.of(r0, r1), r0, new SessionEvent.RolloutsReady.Timings(5, 1200, 5)),
                new SessionEvent.ChoiceMade(id(4), SESSION, AT, null, id(3), NODE, 1, 0, "friendlier", Actor.LOCAL),
                new SessionEvent.ChoiceMade(id(5), SESSION, AT, null, id(3), NODE, null, 0, null,
                        new Actor(Actor.Kind.RULE, "contains red")),
                new SessionEvent.PromptSkipped(id(6), SESSION, AT, null, NODE, id(2), Actor.LOCAL),
                new SessionEvent.PromptEdited(id(7), SESSION, AT, null, NODE, id(2), Actor.LOCAL),
                new SessionEvent.StepApplied(id(8), SESSION, AT, id(4), id(4), NODE, 1,
                        new SessionEvent.StepApplied.StepMetrics(0.5, 0.49, 0.01, 0.8,
                                List.of(-0.577, 1.732), List.of(0.001, -0.002)),
                        new SessionEvent.StepApplied.AdapterRef("pg:adapter/1", "ab".repeat(32)), true, 850),
                new SessionEvent.HeadMoved(id(9), SESSION, AT, null, NODE, ROOT, SessionEvent.HeadMoved.Reason.UNDO,
                        Actor.LOCAL),
                new SessionEvent.PromptReopened(id(12), SESSION, AT, id(9), id(13), ROOT, id(2), id(3)),
                new SessionEvent.PolicyRestored(id(10), SESSION, AT, id(9), ROOT, 0, 0, null),
                new SessionEvent.PolicyRestored(id(11), SESSION, AT, id(9), NODE, 1, 1, 0L),
                new SessionEvent.RolloutsFailed(id(14), SESSION, AT, id(2), id(2),
                        new Failure(Failure.Kind.PROMPT_TOO_LONG, "prompt has 6431 tokens; the context is 2048")),
                new SessionEvent.StepFailed(id(15), SESSION, AT, id(4), id(4), NODE,
                        new Failure(Failure.Kind.OUT_OF_MEMORY, "CUDA out of memory")),
                new SessionEvent.StepRetried(id(16), SESSION, AT, null, id(4), Actor.LOCAL));
    }
}
