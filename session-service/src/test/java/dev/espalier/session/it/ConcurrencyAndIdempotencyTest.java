package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.SessionEvent;
import dev.espalier.session.app.SessionService;
import dev.espalier.session.domain.SessionRejection;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class ConcurrencyAndIdempotencyTest extends SessionFixture {

    @Inject
    SessionService sessions;

    @Test
    void twoSimultaneousChoices_forTheSamePrompt_exactlyOneWins_theOtherGets409() throws Exception {
        for (int round = 0; round < 5; round++) {
            UUID id = createSession(List.of("race"));
            rolloutsArrive(id);
            long version = view(id).getLong("version");
            CountDownLatch start = new CountDownLatch(1);

            List<CompletableFuture<Integer>> racers = Stream.of(0, 3).map(choice -> CompletableFuture.supplyAsync(() -> {
                awaitQuietly(start);
                return given().contentType(ContentType.JSON)
                        .body(Map.of("choice", choice, "expectedVersion", version))
                        .post("/sessions/{id}/choice", id).statusCode();
            })).toList();
            start.countDown();

            List<Integer> statuses = racers.stream().map(CompletableFuture::join).sorted().toList();
            assertEquals(List.of(200, 409), statuses);
            assertEquals(1, events(id).stream().filter(e -> e instanceof SessionEvent.ChoiceMade).count());
            assertEquals(version + 1, view(id).getLong("version"));
        }
    }

    @Test
    void twoSimultaneousChoices_withoutExpectedVersion_stillStoreOneChoice() {
        UUID id = createSession(List.of("race"));
        rolloutsArrive(id);
        CountDownLatch start = new CountDownLatch(1);

        List<CompletableFuture<Integer>> racers = Stream.of(1, 2).map(choice -> CompletableFuture.supplyAsync(() -> {
            awaitQuietly(start);
            return given().contentType(ContentType.JSON).body(Map.of("choice", choice))
                    .post("/sessions/{id}/choice", id).statusCode();
        })).toList();
        start.countDown();

        assertEquals(List.of(200, 409), racers.stream().map(CompletableFuture::join).sorted().toList());
        assertEquals(1, events(id).stream().filter(e -> e instanceof SessionEvent.ChoiceMade).count());
    }

    @Test
    void undoAndRedo_withoutExpectedVersion_goThrough_whileOtherServicesEventsArrive() {
        clicksGoThrough_while(id -> sessions.appendForeign(marker(id)));
    }

    @Test
    void undoAndRedo_withoutExpectedVersion_goThrough_whileAnotherInstanceAppends() {
        clicksGoThrough_while(id -> {
            try {
                store.append(id, sessions.load(id).version(), List.of(marker(id)));
                Thread.sleep(1);
            } catch (SessionRejection.VersionConflict e) {
                // this writer lost the race to a click; it writes again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Bare undo and redo clicks, each answered 200, while {@code write} keeps appending to the same session. */
    private void clicksGoThrough_while(Consumer<UUID> write) {
        UUID id = createSession(List.of("one", "two"));
        playStep(id, 0, 1);
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
            int writes = 0;
            for (; !done.get(); writes++) {
                write.accept(id);
            }
            return writes;
        });

        List<Integer> statuses = new ArrayList<>();
        for (int click = 0; click < 40; click++) {
            statuses.add(given().post("/sessions/{id}/" + (click % 2 == 0 ? "undo" : "redo"), id).statusCode());
        }
        done.set(true);

        assertTrue(writer.join() > 0);
        assertEquals(Collections.nCopies(40, 200), statuses);
        assertEquals(40, events(id).stream().filter(e -> e instanceof SessionEvent.HeadMoved).count());
    }

    /** A restore of a node the session never had: stored and folded past, as a stale delivery would be. */
    private static SessionEvent.PolicyRestored marker(UUID id) {
        return new SessionEvent.PolicyRestored(UUID.randomUUID(), id, Instant.now(), null, UUID.randomUUID(), 9, 0,
                null);
    }

    @Test
    void rolloutsReadyDeliveredTwice_isStoredOnce() {
        UUID id = createSession(List.of("one", "two"));
        SessionEvent.RolloutsReady ready = rolloutsArrive(id);

        workers.send(ready);
        // A later record on the same partition: once it is stored, the duplicate before it has been consumed.
        SessionEvent.RolloutsReady marker = Workers.rolloutsFor(last(id, SessionEvent.PromptIssued.class));
        workers.send(marker);
        await().atMost(WAIT).until(() -> store.contains(marker.eventId()));

        assertEquals(1, events(id).stream().filter(e -> e.eventId().equals(ready.eventId())).count());
        assertEquals("AWAITING_CHOICE", view(id).getString("phase"));
    }

    @Test
    void stepAppliedDeliveredTwice_isStoredOnce_andOpensOneNextPrompt() {
        UUID id = createSession(List.of("one", "two", "three"));
        rolloutsArrive(id);
        choose(id, 1);
        SessionEvent.StepApplied step = stepArrives(id, 1);

        workers.send(step);
        var marker = marker(id);
        workers.send(marker);
        await().atMost(WAIT).until(() -> store.contains(marker.eventId()));

        List<SessionEvent> events = events(id);
        assertEquals(1, events.stream().filter(e -> e.eventId().equals(step.eventId())).count());
        assertEquals(2, events.stream().filter(e -> e instanceof SessionEvent.PromptIssued).count());
        assertEquals("two", view(id).getString("currentPrompt.text"));
    }

    @Test
    void policyRestoredDeliveredTwice_isStoredOnce_andTheReopenedPromptStaysOpen() {
        UUID id = createSession(List.of("one", "two", "three"));
        UUID root = view(id).getUUID("headNodeId");
        playStep(id, 0, 1);
        awaitPhase(id, "AWAITING_ROLLOUTS");
        given().post("/sessions/{id}/undo", id).then().statusCode(200);
        var undo = last(id, SessionEvent.HeadMoved.class);
        var restored = new SessionEvent.PolicyRestored(UUID.randomUUID(), id, Instant.now(), undo.eventId(), root, 0,
                1, null);

        workers.send(restored);
        workers.send(restored);
        var marker = marker(id);
        workers.send(marker);
        await().atMost(WAIT).until(() -> store.contains(marker.eventId()));

        List<SessionEvent> events = events(id);
        assertEquals(1, events.stream().filter(e -> e.eventId().equals(restored.eventId())).count());
        List<SessionEvent> afterUndo = events.subList(events.indexOf(undo), events.size());
        assertEquals(0, afterUndo.stream().filter(e -> e instanceof SessionEvent.PromptIssued).count());
        assertEquals(1, afterUndo.stream().filter(e -> e instanceof SessionEvent.PromptReopened).count());
        assertEquals("AWAITING_CHOICE", view(id).getString("phase"));
        assertEquals("one", view(id).getString("currentPrompt.text"));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
