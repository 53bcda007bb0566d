package dev.espalier.session.it;

import dev.espalier.events.Actor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.domain.SessionRejection;
import dev.espalier.session.store.EventStore;
import dev.espalier.session.store.StoredEvent;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class EventStoreTest {

    @Inject
    EventStore store;
    @Inject
    AgroalDataSource dataSource;

    private final UUID session = UUID.randomUUID();

    @Test
    void twoConsecutiveMultiEventAppends_getContiguousPositions() {
        List<StoredEvent> first = store.append(session, 0, List.of(created(), skipped(), skipped()));
        List<StoredEvent> second = store.append(session, 3, List.of(skipped(), skipped()));

        assertEquals(List.of(1L, 2L, 3L), first.stream().map(StoredEvent::sessionPosition).toList());
        assertEquals(List.of(4L, 5L), second.stream().map(StoredEvent::sessionPosition).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), store.load(session).stream().map(StoredEvent::sessionPosition).toList());
        assertEquals(second.getLast().event(), store.load(session).getLast().event());
    }

    @Test
    void append_atAStaleVersion_isAConflict_andStoresNothing() {
        store.append(session, 0, List.of(created(), skipped()));
        assertThrows(SessionRejection.VersionConflict.class, () -> store.append(session, 1, List.of(skipped())));
        assertThrows(SessionRejection.VersionConflict.class, () -> store.append(session, 3, List.of(skipped())));
        assertEquals(2, store.load(session).size());
    }

    @Test
    void racingWriters_atTheSameVersion_exactlyOneAppends() {
        store.append(session, 0, List.of(created()));
        for (int round = 0; round < 10; round++) {
            long version = store.load(session).size();
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Boolean>> writers = IntStream.range(0, 4).mapToObj(i ->
                    CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                            store.append(session, version, List.of(skipped(), skipped()));
                            return true;
                        } catch (SessionRejection.VersionConflict e) {
                            return false;
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    })).toList();
            start.countDown();
            assertEquals(1, writers.stream().map(CompletableFuture::join).filter(won -> won).count());
            assertEquals(version + 2, store.load(session).size());
        }
    }

    @Test
    void anEventAlreadyStored_isNotStoredAgain_norAnythingAppendedWithIt() {
        SessionEvent skip = skipped();
        store.append(session, 0, List.of(created(), skip));
        assertThrows(EventStore.DuplicateEventException.class, () -> store.append(session, 2, List.of(skipped(), skip)));
        assertEquals(2, store.load(session).size());
    }

    @Test
    void storedEvents_cannotBeUpdatedOrDeleted() throws SQLException {
        store.append(session, 0, List.of(created()));
        try (Connection c = dataSource.getConnection()) {
            var update = assertThrows(SQLException.class, () -> c.createStatement()
                    .executeUpdate("update session_events set event_type = 'x' where session_id = '" + session + "'"));
            assertTrue(update.getMessage().contains("append-only"), update.getMessage());
            assertThrows(SQLException.class, () -> c.createStatement()
                    .executeUpdate("delete from session_events where session_id = '" + session + "'"));
        }
        assertEquals(1, store.load(session).size());
    }

    @Test
    void anEventStoredWithAnOlderSchemaVersion_stillReads_upcast() throws SQLException {
        store.append(session, 0, List.of(created()));
        UUID eventId = UUID.randomUUID();
        String v1 = "{\"type\":\"choice-made.v1\",\"schemaVersion\":1,\"eventId\":\"" + eventId
                + "\",\"sessionId\":\"" + session + "\",\"occurredAt\":\"2026-01-02T03:04:05Z\",\"causationId\":null,"
                + "\"rolloutsReadyId\":\"" + UUID.randomUUID() + "\",\"nodeId\":\"" + UUID.randomUUID()
                + "\",\"choice\":-1,\"policyVersion\":0}";
        try (Connection c = dataSource.getConnection(); var insert = c.prepareStatement("insert into session_events "
                + "(session_id, session_position, event_id, event_type, schema_version, payload, occurred_at) "
                + "values (?, 2, ?, 'choice-made.v1', 1, ?::jsonb, now())")) {
            insert.setObject(1, session);
            insert.setObject(2, eventId);
            insert.setString(3, v1);
            insert.executeUpdate();
        }

        var choice = (SessionEvent.ChoiceMade) store.load(session).getLast().event();

        assertEquals(eventId, choice.eventId());
        assertTrue(choice.isNone());
        assertEquals(3, choice.schemaVersion());
    }

    private SessionEvent created() {
        SessionConfig config = new SessionConfig("m",
                new SessionConfig.PromptSourceSpec(SessionConfig.PromptSourceSpec.Kind.TYPED, null, null, null,
                        List.of("p"), 1),
                new SessionConfig.PromptFormat(SessionConfig.PromptFormat.Mode.RAW, null, "Q: ", "\nA:"), 2,
                new SessionConfig.Sampling(1, 0, 1, 8, 1), new SessionConfig.Lora(4, 8, List.of("q_proj")),
                SessionConfig.Objective.DPO, 1e-4, 0, 0, 0, 0.1, 1, null);
        return new SessionEvent.SessionCreated(UUID.randomUUID(), session, Instant.now(), null, config,
                UUID.randomUUID(), Actor.LOCAL);
    }

    private SessionEvent skipped() {
        return new SessionEvent.PromptSkipped(UUID.randomUUID(), session, Instant.now(), null, UUID.randomUUID(),
                UUID.randomUUID(), Actor.LOCAL);
    }
}
