package dev.espalier.session.projection;

import dev.espalier.events.Actor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.ChatMessage;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReadModelsTest {

    private static final UUID SESSION = UUID.randomUUID();
    private static final UUID ROOT = UUID.randomUUID();
    private static final UUID NODE = UUID.randomUUID();
    private static final Instant AT = Instant.parse("2026-11-21T06:00:00Z");

    @Test
    void timeline_ignoresReplays_andRefusesGaps() {
        List<StoredEvent> events = played();
        TimelineProjection projection = new TimelineProjection();
        events.forEach(projection::apply);
        Timeline once = projection.timeline();

        events.forEach(e -> assertTrue(projection.apply(e)));

        assertEquals(once, projection.timeline());
        assertEquals(NODE, once.head());
        assertEquals(Timeline.Status.PLAYED, once.nodes().get(1).status());
        assertEquals("b", once.nodes().get(1).chosenText());
        assertEquals(1L, once.nodes().get(1).policyVersion());
        TimelineProjection fresh = new TimelineProjection();
        assertFalse(fresh.apply(events.get(2)), "an event after a gap is not applied");
        assertEquals(0, fresh.position());
    }

    @Test
    void summary_ignoresReplays_andCountsChoicesAndSteps() {
        List<StoredEvent> events = played();
        SessionSummaryProjection projection = new SessionSummaryProjection();
        events.forEach(projection::apply);
        events.forEach(projection::apply);

        SessionSummary summary = projection.summary();
        assertEquals(events.size(), summary.version());
        assertEquals(1, summary.choicesMade());
        assertEquals(1, summary.stepsApplied());
        assertEquals(1, summary.policyVersion());
        assertEquals("m", summary.model());
    }

    private static List<StoredEvent> played() {
        SessionConfig config = new SessionConfig("m",
                new SessionConfig.PromptSourceSpec(SessionConfig.PromptSourceSpec.Kind.TYPED, null, null, null,
                        List.of("q"), 1),
                new SessionConfig.PromptFormat(SessionConfig.PromptFormat.Mode.CHAT, null, null, null), 2,
                new SessionConfig.Sampling(1, 0, 1, 8, 1), new SessionConfig.Lora(4, 8, List.of("q_proj")),
                SessionConfig.Objective.GRPO, 1e-4, 0, 0, 0, 0.1, 1, null);
        var prompt = new SessionEvent.PromptIssued(UUID.randomUUID(), SESSION, AT, null, NODE, ROOT, 0, 0,
                List.of(ChatMessage.user("q")), config.format(), config.sampling(), 2, null);
        var a = new SessionEvent.RolloutsReady.Rollout(0, "a", List.of(1), List.of(-1.0), "eos");
        var b = new SessionEvent.RolloutsReady.Rollout(1, "b", List.of(2), List.of(-1.0), "eos");
        var ready = new SessionEvent.RolloutsReady(UUID.randomUUID(), SESSION, AT, prompt.eventId(), prompt.eventId(),
                0, List.of(5), List.of(a, b), null, new SessionEvent.RolloutsReady.Timings(0, 1, 2));
        var choice = new SessionEvent.ChoiceMade(UUID.randomUUID(), SESSION, AT, null, ready.eventId(), NODE, 1, 0, null,
                Actor.LOCAL);
        var step = new SessionEvent.StepApplied(UUID.randomUUID(), SESSION, AT, choice.eventId(), choice.eventId(),
                NODE, 1, new SessionEvent.StepApplied.StepMetrics(1, 1, 0, 1, List.of(), List.of()),
                new SessionEvent.StepApplied.AdapterRef("x", "00"), false, 1);
        List<SessionEvent> events = List.of(
                new SessionEvent.SessionCreated(UUID.randomUUID(), SESSION, AT, null, config, ROOT, Actor.LOCAL),
                prompt, ready, choice, step);
        List<StoredEvent> stored = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            stored.add(new StoredEvent(100 + i, i + 1, AT, events.get(i)));
        }
        return stored;
    }
}
