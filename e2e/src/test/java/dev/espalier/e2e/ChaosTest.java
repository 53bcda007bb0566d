package dev.espalier.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.StepApplied;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Rounds of play on two sessions with a kill -9 of a random service at a random moment after each move, and once
 * everything at once (the services, PostgreSQL, the broker). A failure the kills cause (a step or a generation
 * interrupted twice) is retried as a person would. At the end every choice was stepped exactly once, no event is
 * stored twice, both sessions play on, and every adapter equals the trainer's clean replay of it. Long: run on request,
 * {@code ./mvnw -pl e2e verify -Dgroups=chaos -DexcludedGroups=none} ({@code -Dchaos.rounds}, {@code -Dchaos.seed}).
 */
@Tag("chaos")
class ChaosTest {

    private static final int ROUNDS = Integer.getInteger("chaos.rounds", 50);
    private static final long SEED = Long.getLong("chaos.seed", 13);
    private static final Duration RECOVER = Duration.ofSeconds(300);

    private final Map<String, Integer> counts = new TreeMap<>();

    private void count(String what) {
        counts.merge(what, 1, Integer::sum);
    }

    @Test
    void roundsOfPlayWithKills_stepEveryChoiceOnce_storeEveryEventOnce_resume_andReplayToTheSameAdapters() {
        Random random = new Random(SEED);
        try (Stack stack = new Stack()) {
            List<UUID> sessions = List.of(create(stack), create(stack));
            for (int round = 1; round <= ROUNDS; round++) {
                UUID id = sessions.get(round % 2);
                URI session = URI.create(stack.sessions() + "/" + id);
                JsonNode view = Http.get(session);
                long after;
                if (view.get("canUndo").asBoolean() && random.nextInt(5) == 0) {
                    after = Http.post(URI.create(session + "/undo"), Map.of(), 200).get("version").asLong() - 1;
                    count("undos");
                } else {
                    Object choice = random.nextInt(6) == 0 ? "none" : random.nextInt(4);
                    after = Http.post(URI.create(session + "/choice"), Map.of("choice", choice), 200)
                            .get("version").asLong();
                    count("choices");
                }
                sleep(random.nextInt(2000));
                if (round == ROUNDS / 2) {
                    stack.crashEverything();
                    count("kills: everything at once");
                } else {
                    kill(stack, random.nextInt(3));
                }
                awaitPickable(stack, session, after);
            }
            for (UUID id : sessions) {
                URI session = URI.create(stack.sessions() + "/" + id);
                long after = Http.post(URI.create(session + "/choice"), Map.of("choice", 0), 200).get("version")
                        .asLong();
                awaitPickable(stack, session, after);
                check(stack, id);
            }
        }
        System.out.println("chaos: " + ROUNDS + " rounds, seed " + SEED + ": " + counts);
    }

    private static UUID create(Stack stack) {
        Map<String, Object> setup = new HashMap<>(ServicesLoopTest.setup(stack, 6));
        // More prompts than picks: every round may use one up.
        setup.put("prompts", Map.of("kind", "TYPED", "typed", IntStream.rangeClosed(1, 2 * ROUNDS + 10)
                .mapToObj(i -> "Tell me about the number " + i).toList()));
        JsonNode created = Http.post(stack.sessions(), setup, 201);
        UUID id = UUID.fromString(created.get("sessionId").asText());
        awaitPickable(stack, URI.create(stack.sessions() + "/" + id), -1, new HashMap<>());
        return id;
    }

    private void kill(Stack stack, int which) {
        switch (which) {
            case 0 -> {
                stack.session.close();
                stack.session = stack.startSession();
                count("kills: session-service");
            }
            case 1 -> {
                stack.trainer.close();
                stack.trainer = stack.startTrainer(Map.of());
                count("kills: trainer-service");
            }
            default -> {
                stack.rollout.close();
                stack.rollout = stack.startRollout(Map.of());
                count("kills: rollout-service");
            }
        }
    }

    private void awaitPickable(Stack stack, URI session, long afterVersion) {
        Map<String, Integer> seen = new HashMap<>();
        awaitPickable(stack, session, afterVersion, seen);
        seen.forEach((k, v) -> counts.merge(k, v, Integer::sum));
    }

    /** Until the session shows rollouts to pick from, past {@code afterVersion}; failures are retried. */
    private static void awaitPickable(Stack stack, URI session, long afterVersion, Map<String, Integer> seen) {
        long deadline = System.nanoTime() + RECOVER.toNanos();
        JsonNode view = Http.get(session);
        while (!(view.get("phase").asText().equals("AWAITING_CHOICE") && view.get("version").asLong() > afterVersion)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(session + " is not pickable after version " + afterVersion + ": " + view
                        + "\n--- trainer log:\n" + stack.trainer.tail() + "\n--- rollout log:\n" + stack.rollout.tail());
            }
            String phase = view.get("phase").asText();
            if (phase.equals("OUT_OF_PROMPTS")) {
                throw new AssertionError(session + " ran out of prompts: " + view);
            }
            if (phase.endsWith("_FAILED")) {
                seen.merge("failures: " + phase + " " + view.get("failure").get("kind").asText(), 1, Integer::sum);
                // A late answer may beat the retry to it: then the retry is 409 and the session has moved on.
                if (Http.status(URI.create(session + "/retry"), Map.of()) == 200) {
                    seen.merge("retries", 1, Integer::sum);
                }
            }
            sleep(100);
            view = Http.get(session);
        }
    }

    private void check(Stack stack, UUID id) {
        List<SessionEvent> audit = Http.getText(URI.create(stack.sessions() + "/" + id + "/events")).lines()
                .map(EventSerde::fromJson).toList();
        Set<UUID> ids = new HashSet<>();
        audit.forEach(e -> assertTrue(ids.add(e.eventId()), "stored twice: " + e));
        Map<UUID, Long> stepsPerChoice = audit.stream().filter(StepApplied.class::isInstance)
                .map(e -> ((StepApplied) e).choiceMadeId()).collect(Collectors.groupingBy(Function.identity(),
                        Collectors.counting()));
        List<ChoiceMade> choices = audit.stream().filter(ChoiceMade.class::isInstance).map(ChoiceMade.class::cast)
                .toList();
        for (ChoiceMade c : choices) {
            assertEquals(1L, stepsPerChoice.getOrDefault(c.eventId(), 0L), "steps for choice " + c.eventId());
        }
        assertEquals(choices.size(), stepsPerChoice.size(), "no step without its choice");
        Map<UUID, Long> answers = audit.stream().filter(SessionEvent.RolloutsReady.class::isInstance)
                .map(e -> ((SessionEvent.RolloutsReady) e).promptIssuedId()).collect(Collectors.groupingBy(
                        Function.identity(), Collectors.counting()));
        answers.forEach((prompt, n) -> assertEquals(1L, n, "rollouts for prompt " + prompt));
        List<StepApplied> steps = new ArrayList<>(audit.stream().filter(StepApplied.class::isInstance)
                .map(StepApplied.class::cast).toList());
        for (StepApplied step : steps) {
            JsonNode replay = Http.post(stack.trainer("/sessions/" + id + "/policies/" + step.policyVersion()
                    + "/replay"), Map.of(), 200);
            assertEquals(step.adapter().sha256(), replay.get("sha256").asText(), "version " + step.policyVersion());
        }
        counts.merge("events stored", audit.size(), Integer::sum);
        counts.merge("steps applied", steps.size(), Integer::sum);
        counts.merge("steps replayed to the same adapter", steps.size(), Integer::sum);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
