package dev.espalier.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.HeadMoved;
import dev.espalier.events.SessionEvent.PolicyRestored;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.infra.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole loop through the three services on the in-process Kafka broker and embedded PostgreSQL with a tiny
 * Qwen3: twelve choices with none, a skip, an edit, three undos (each reopening the undone pick's prompt with its
 * rollouts), a new pick after one, a redo and a checkout of an abandoned branch; the trainer killed in the middle of
 * the rebuild that checkout starts, then in the middle of a step, and the rollout-service in the middle of a
 * generation.
 */
class ServicesLoopTest {

    private static Stack stack;

    @BeforeAll
    static void start() {
        stack = new Stack();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static Map<String, Object> setup(Stack stack, int maxNewTokens) {
        return Map.of("model", stack.model.toString(),
                "prompts", Map.of("kind", "TYPED", "typed",
                        IntStream.rangeClosed(1, 20).mapToObj(i -> "Tell me about the number " + i).toList()),
                "mode", "CHAT", "systemPrompt", "Be brief.", "groupSize", 4,
                "sampling", Map.of("temperature", 1.0, "minP", 0.0, "maxNewTokens", maxNewTokens, "seed", 7),
                "lora", Map.of("rank", 4, "alpha", 8),
                "learningRate", 2e-5, "checkpointEvery", 3, "controlPrompt", "Say hello.");
    }

    @Test
    void twelveChoices_withUndoRedoCheckoutAndCrashes_restoreEveryNodeBitForBit_andAuditEachEventOnce()
            throws InterruptedException {
        PlayedSession session = PlayedSession.create(stack, setup(stack, 6));
        UUID n1 = session.choose(0);
        UUID n2 = session.choose(1);
        session.skip();
        UUID n3 = session.choose("none");
        session.edit("A prompt the person typed");
        UUID n4 = session.choose(2);
        UUID n5 = session.choose(3);
        JsonNode undone = session.undo();        // HEAD n4, n5's prompt and rollouts in front of the person again
        session.undo();                          // HEAD n3: n4 and n5 are now an abandoned branch
        UUID n6 = session.choose(0);             // n4's prompt again: n6 is n4's sibling
        session.undo();                          // HEAD n3
        session.redo();                          // HEAD n6, with the prompt that was open there
        UUID n7 = session.choose(1);

        // Back onto the abandoned branch with a trainer that keeps no state and dies half-way through the replay
        // that rebuilds n5's policy: the prompt is pickable at once all the same, and the trainer that comes next
        // rebuilds from the journal again.
        stack.trainer.stop();
        stack.trainer = stack.startTrainer(Map.of("espalier.fault.halt-during-replay", "true",
                "espalier.trainer.states-kept", "0"));
        ServiceProcess dyingInRebuild = stack.trainer;
        session.checkout(n5);
        assertEquals(137, dyingInRebuild.awaitExit(Duration.ofSeconds(120)));

        // The trainer dies in the middle of the step (computed, not journaled) and comes back empty-handed: it
        // must rebuild n5's state from the journal and apply the step once.
        stack.trainer = stack.startTrainer(Map.of("espalier.fault.halt-before-step-commit", "true"));
        ServiceProcess dyingTrainer = stack.trainer;
        UUID n8 = session.openNode();
        long afterChoice8 = session.sendChoice(2);
        assertEquals(137, dyingTrainer.awaitExit(Duration.ofSeconds(120)));
        stack.trainer = stack.startTrainer(Map.of());
        session.awaitChoice(afterChoice8);

        UUID n9 = session.choose(0);

        // The rollout-service dies in the middle of generating the next prompt's rollouts; the prompt is served
        // again after the restart.
        stack.rollout.stop();
        stack.rollout = stack.startRollout(Map.of("espalier.fault.halt-after-tokens", "3"));
        ServiceProcess dyingRollout = stack.rollout;
        UUID n10 = session.openNode();
        long afterChoice10 = session.sendChoice(1);
        assertEquals(137, dyingRollout.awaitExit(Duration.ofSeconds(120)));
        stack.rollout = stack.startRollout(Map.of());
        session.awaitChoice(afterChoice10);

        UUID n11 = session.choose("none");
        UUID n12 = session.choose(3);

        List<SessionEvent> audit = session.audit();
        assertEachEventOnceInOrder(audit);
        List<StepApplied> steps = all(audit, StepApplied.class);
        assertEquals(List.of(n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11, n12),
                steps.stream().map(StepApplied::nodeId).toList());
        assertEquals(List.of(HeadMoved.Reason.UNDO, HeadMoved.Reason.UNDO, HeadMoved.Reason.UNDO,
                HeadMoved.Reason.REDO, HeadMoved.Reason.CHECKOUT),
                all(audit, HeadMoved.class).stream().map(HeadMoved::reason).toList());
        assertEquals(2, all(audit, ChoiceMade.class).stream().filter(ChoiceMade::isNone).count());
        // Undo and redo put stored rollouts back; no move waited for a generation.
        List<ChoiceMade> choices = all(audit, ChoiceMade.class);
        List<SessionEvent.PromptReopened> reopened = all(audit, SessionEvent.PromptReopened.class);
        assertEquals(choices.get(4).rolloutsReadyId(), reopened.getFirst().rolloutsReadyId(), "undo of n5");
        assertEquals(choices.get(4).rolloutsReadyId(), UUID.fromString(undone.get("rollouts").get("rolloutsReadyId")
                .asText()));
        assertEquals(choices.get(3).rolloutsReadyId(), reopened.get(1).rolloutsReadyId(), "undo of n4");
        assertEquals(choices.get(3).rolloutsReadyId(), choices.get(5).rolloutsReadyId(), "n6 picked from n4's");
        assertEquals(5, reopened.size(), "three undos, the redo and the checkout");
        assertEquals(15, all(audit, PromptIssued.class).size(), "12 picks, a skip, an edit and the last prompt");
        assertEquals(1, all(audit, SessionEvent.PromptSkipped.class).size());
        assertEquals(1, all(audit, SessionEvent.PromptEdited.class).size());

        // Every node's adapter as the trainer rebuilds it is the live one bit for bit. With checkpointEvery 3 most
        // nodes are rebuilt from an earlier checkpoint plus one or two replayed steps, inside the long-running trainer.
        for (StepApplied step : steps) {
            JsonNode replay = Http.post(stack.trainer("/sessions/" + session.id + "/policies/"
                    + step.policyVersion() + "/replay"), Map.of(), 200);
            assertEquals(step.adapter().sha256(), replay.get("sha256").asText(), "node " + step.nodeId());
        }
        // The checkout restored n5's policy, and the choice after it trained on rollouts of that policy.
        long v5 = steps.get(4).policyVersion();
        PolicyRestored checkout = all(audit, PolicyRestored.class).get(4);
        assertEquals(n5, checkout.nodeId());
        assertEquals(v5, checkout.policyVersion());
        ChoiceMade eighth = all(audit, ChoiceMade.class).get(7);
        assertEquals(v5, eighth.policyVersion());
        assertEquals(v5, ((RolloutsReady) byId(audit, eighth.rolloutsReadyId())).policyVersion());
    }

    @Test
    void promptsTheServedModelCannotFit_areRefusedAtCreateAndEdit_andOneFromAFileIsAFailureToSkip()
            throws IOException {
        String tooLong = "colour ".repeat(2100); // about 2100 tokens; the tiny model's context is 2048
        Map<String, Object> typed = new HashMap<>(setup(stack, 6));
        typed.put("prompts", Map.of("kind", "TYPED", "typed", List.of("Say hi.", tooLong)));
        JsonNode refused = Http.post(stack.sessions(), typed, 400);
        assertEquals("prompts.typed[1]", refused.get("argument").asText());
        assertTrue(refused.get("error").asText().contains("more than the model's context of 2048 tokens"),
                refused.toString());

        PlayedSession session = PlayedSession.create(stack, setup(stack, 6));
        long before = session.view().get("version").asLong();
        JsonNode editRefused = Http.post(URI.create(stack.sessions() + "/" + session.id + "/prompt"),
                Map.of("text", tooLong), 400);
        assertEquals("text", editRefused.get("argument").asText());
        assertEquals(before, session.view().get("version").asLong(), "a refused edit stores nothing");

        Path file = Files.writeString(Files.createTempFile("espalier-long-prompt-", ".txt"), tooLong + "\n");
        Map<String, Object> fromFile = new HashMap<>(setup(stack, 6));
        fromFile.put("prompts", Map.of("kind", "LOCAL_FILE", "location", file.toString()));
        JsonNode created = Http.post(stack.sessions(), fromFile, 201);
        URI view = URI.create(stack.sessions() + "/" + created.get("sessionId").asText());
        JsonNode failed = awaitPhase(view, "ROLLOUTS_FAILED");
        assertEquals("PROMPT_TOO_LONG", failed.get("failure").get("kind").asText());
        assertTrue(failed.get("failure").get("reason").asText().contains("context"), failed.toString());
        Http.post(URI.create(view + "/skip"), Map.of(), 200);
        assertEquals("OUT_OF_PROMPTS", awaitPhase(view, "OUT_OF_PROMPTS").get("phase").asText());
    }

    private static JsonNode awaitPhase(URI view, String phase) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode now = Http.get(view);
        while (!now.get("phase").asText().equals(phase)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(view + " did not reach " + phase + ": " + now);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            now = Http.get(view);
        }
        return now;
    }

    /** Every event once; every answer once, after what it answers. */
    private static void assertEachEventOnceInOrder(List<SessionEvent> audit) {
        Set<UUID> ids = new HashSet<>();
        audit.forEach(e -> assertTrue(ids.add(e.eventId()), "stored twice: " + e));
        List<ChoiceMade> choices = all(audit, ChoiceMade.class);
        assertEquals(12, choices.size());
        for (ChoiceMade choice : choices) {
            List<StepApplied> answers = all(audit, StepApplied.class).stream()
                    .filter(s -> s.choiceMadeId().equals(choice.eventId())).toList();
            assertEquals(1, answers.size(), "steps for choice " + choice.eventId());
            assertTrue(audit.indexOf(answers.getFirst()) > audit.indexOf(choice));
        }
        for (HeadMoved moved : all(audit, HeadMoved.class)) {
            List<PolicyRestored> answers = all(audit, PolicyRestored.class).stream()
                    .filter(p -> p.causationId().equals(moved.eventId())).toList();
            assertEquals(1, answers.size(), "restores for " + moved.eventId());
            assertTrue(audit.indexOf(answers.getFirst()) > audit.indexOf(moved));
        }
        for (PromptIssued prompt : all(audit, PromptIssued.class)) {
            List<RolloutsReady> answers = all(audit, RolloutsReady.class).stream()
                    .filter(r -> r.promptIssuedId().equals(prompt.eventId())).toList();
            assertTrue(answers.size() <= 1, "rollouts for prompt " + prompt.eventId());
            answers.forEach(r -> assertTrue(audit.indexOf(r) > audit.indexOf(prompt)));
        }
        assertEquals(12, all(audit, StepApplied.class).size());
        assertEquals(5, all(audit, PolicyRestored.class).size());
    }

    private static <T extends SessionEvent> List<T> all(List<SessionEvent> audit, Class<T> type) {
        List<T> out = new ArrayList<>();
        audit.stream().filter(type::isInstance).map(type::cast).forEach(out::add);
        return out;
    }

    private static SessionEvent byId(List<SessionEvent> audit, UUID id) {
        return audit.stream().filter(e -> e.eventId().equals(id)).findFirst().orElseThrow();
    }
}
