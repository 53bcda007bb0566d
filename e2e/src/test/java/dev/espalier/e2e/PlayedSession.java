package dev.espalier.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A session driven through the session-service's REST API, as the UI would. */
final class PlayedSession {

    static final Duration WAIT = Duration.ofSeconds(180);

    private final Stack stack;
    final UUID id;

    private PlayedSession(Stack stack, UUID id) {
        this.stack = stack;
        this.id = id;
    }

    static PlayedSession create(Stack stack, Map<String, Object> setup) {
        JsonNode created = Http.post(stack.sessions(), setup, 201);
        PlayedSession session = new PlayedSession(stack, UUID.fromString(created.get("sessionId").asText()));
        session.awaitChoice(-1);
        return session;
    }

    JsonNode view() {
        return Http.get(uri(""));
    }

    /** Waits until the session, past {@code afterVersion}, shows rollouts waiting for a choice. */
    JsonNode awaitChoice(long afterVersion) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode view = view();
        while (!(view.get("phase").asText().equals("AWAITING_CHOICE") && view.get("version").asLong() > afterVersion)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("session " + id + " did not reach AWAITING_CHOICE after version "
                        + afterVersion + "; it is " + view.get("phase") + " at " + view.get("version")
                        + "\n--- trainer log:\n" + stack.trainer.tail()
                        + "\n--- rollout log:\n" + stack.rollout.tail());
            }
            sleep(20);
            view = view();
        }
        return view;
    }

    UUID openNode() {
        return UUID.fromString(view().get("currentPrompt").get("nodeId").asText());
    }

    /** Sends a choice (an index or "none") without waiting for what follows; returns the version it made. */
    long sendChoice(Object choice) {
        return Http.post(uri("/choice"), Map.of("choice", choice), 200).get("version").asLong();
    }

    /** Chooses and waits for the next rollouts; returns the node the choice completed. */
    UUID choose(Object choice) {
        UUID node = openNode();
        awaitChoice(sendChoice(choice));
        return node;
    }

    void skip() {
        awaitChoice(command("/skip", Map.of()));
    }

    void edit(String text) {
        awaitChoice(command("/prompt", Map.of("text", text)));
    }

    JsonNode undo() {
        return move("/undo", Map.of());
    }

    void redo() {
        move("/redo", Map.of());
    }

    void checkout(UUID node) {
        move("/checkout", Map.of("nodeId", node.toString()));
    }

    /** A move answers with the rollouts it reopened (or a prompt issued again, whose rollouts come later). */
    private JsonNode move(String path, Map<String, Object> body) {
        return awaitChoice(command(path, body) - 1);
    }

    /** The audit log (NDJSON), every line read back as an event. */
    List<SessionEvent> audit() {
        return Http.getText(uri("/events")).lines().map(EventSerde::fromJson).toList();
    }

    private long command(String path, Map<String, Object> body) {
        return Http.post(uri(path), body, 200).get("version").asLong();
    }

    private URI uri(String path) {
        return URI.create(stack.sessions() + "/" + id + path);
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
