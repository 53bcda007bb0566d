package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.Topics;
import dev.espalier.session.store.StoredEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Load: 50 sessions played at once, 20 choices each, through the REST API and the whole event path (outbox →
 * Kafka → a responder playing rollout- and trainer-service → Kafka → consumers → store). Prints latencies and
 * throughput, then counts every event in the store and on the topic: none lost, none duplicated.
 * <p>
 * Not part of the default build (tag "benchmark"). Run:
 * {@code ./mvnw -B -pl session-service -am verify -Dtest=LoadBenchmark -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}
 * (add {@code -Dbench.sessions=N -Dbench.choices=M} for another size).
 */
@Tag("benchmark")
@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class LoadBenchmark extends SessionFixture {

    private static final int SESSIONS = Integer.getInteger("bench.sessions", 50);
    private static final int CHOICES = Integer.getInteger("bench.choices", 20);

    @Test
    void sessionsPlayedConcurrently_loseAndDuplicateNoEvent() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread responder = Thread.ofPlatform().name("responder").start(() -> respond(running));
        List<Long> choiceNanos = Collections.synchronizedList(new ArrayList<>());
        Set<UUID> sessions = ConcurrentHashMap.newKeySet();
        List<String> prompts = IntStream.range(0, CHOICES + 5).mapToObj(i -> "prompt " + i).toList();

        long start = System.nanoTime();
        try (ExecutorService players = Executors.newFixedThreadPool(SESSIONS)) {
            List<Future<?>> games = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                games.add(players.submit(() -> {
                    UUID id = createSession(prompts);
                    sessions.add(id);
                    for (int k = 0; k < CHOICES; k++) {
                        long version = awaitChoosable(id);
                        long t0 = System.nanoTime();
                        given().contentType(ContentType.JSON).body(Map.of("choice", k % 4, "expectedVersion", version))
                                .post("/sessions/{id}/choice", id).then().statusCode(200);
                        choiceNanos.add(System.nanoTime() - t0);
                    }
                    awaitChoosable(id); // the 20th step applied and the next prompt answered
                    return null;
                }));
            }
            for (Future<?> game : games) {
                game.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        responder.join();

        Map<UUID, List<StoredEvent>> stored = new HashMap<>();
        sessions.forEach(id -> stored.put(id, store.load(id)));
        int storedCount = stored.values().stream().mapToInt(List::size).sum();
        List<Long> foreignAppendMillis = new ArrayList<>();
        for (List<StoredEvent> events : stored.values()) {
            for (StoredEvent e : events) {
                if (e.event() instanceof SessionEvent.RolloutsReady || e.event() instanceof SessionEvent.StepApplied) {
                    foreignAppendMillis.add(Duration.between(e.event().occurredAt(), e.recordedAt()).toMillis());
                }
            }
        }

        Map<UUID, Integer> onTopic = countOnTopic(sessions, storedCount);
        Set<UUID> storedIds = new HashSet<>();
        stored.values().forEach(list -> list.forEach(e -> storedIds.add(e.event().eventId())));
        long lost = storedIds.stream().filter(id -> !onTopic.containsKey(id)).count();
        long duplicated = onTopic.values().stream().mapToLong(n -> n - 1).sum();
        long storedDuplicates = storedCount - storedIds.size();
        long wrongCount = stored.values().stream().filter(list -> list.size() != expectedEventsPerSession()).count();

        Collections.sort(choiceNanos);
        Collections.sort(foreignAppendMillis);
        System.out.printf("""
                        LoadBenchmark: %d sessions x %d choices in %.1f s
                          choice via REST (load, fold, decide, append+commit):  p50 %.1f ms  p99 %.1f ms  (n=%d)
                          event path, Kafka record -> stored (RolloutsReady/StepApplied): p50 %d ms  p99 %d ms  (n=%d)
                          events stored: %d  (%.0f events/s)
                          store:  duplicated event ids %d, sessions without exactly %d events %d
                          topic %s: lost %d, duplicated %d (of %d stored)
                        """, SESSIONS, CHOICES, seconds,
                percentile(choiceNanos, 50) / 1e6, percentile(choiceNanos, 99) / 1e6, choiceNanos.size(),
                percentile(foreignAppendMillis, 50), percentile(foreignAppendMillis, 99), foreignAppendMillis.size(),
                storedCount, storedCount / seconds, storedDuplicates, expectedEventsPerSession(), wrongCount,
                Topics.SESSION_EVENTS, lost, duplicated, storedCount);

        assertEquals(0, lost);
        assertEquals(0, duplicated);
        assertEquals(0, storedDuplicates);
        assertEquals(0, wrongCount);
    }

    /** created + 21 prompts + 21 rollouts + 20 choices + 20 steps. */
    private static int expectedEventsPerSession() {
        return 1 + (CHOICES + 1) * 2 + CHOICES * 2;
    }

    private static long awaitChoosable(UUID id) throws InterruptedException {
        while (true) {
            var view = view(id);
            if ("AWAITING_CHOICE".equals(view.getString("phase"))) {
                return view.getLong("version");
            }
            Thread.sleep(50);
        }
    }

    /** Plays rollout- and trainer-service: answers every PromptIssued and ChoiceMade relayed from now on. */
    private static void respond(AtomicBoolean running) {
        try (KafkaConsumer<String, String> consumer = consumer("bench-responder-");
             Workers out = new Workers(EmbeddedServices.bootstrapServers())) {
            consumer.subscribe(List.of(Topics.SESSION_EVENTS));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.seekToEnd(consumer.assignment());
            while (running.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    switch (EventSerde.fromJson(r.value())) {
                        case SessionEvent.PromptIssued p -> out.sendAsync(Workers.rolloutsFor(p));
                        case SessionEvent.ChoiceMade c -> out.sendAsync(Workers.stepFor(c, c.policyVersion() + 1));
                        default -> { }
                    }
                }
            }
        }
    }

    /** How often each event of {@code sessions} is on the topic, reading until {@code expected} arrived or 60 s. */
    private static Map<UUID, Integer> countOnTopic(Set<UUID> sessions, int expected) {
        Map<UUID, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer("bench-counter-")) {
            consumer.subscribe(List.of(Topics.SESSION_EVENTS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    SessionEvent e = EventSerde.fromJson(r.value());
                    if (sessions.contains(e.sessionId())) {
                        counts.merge(e.eventId(), 1, Integer::sum);
                    }
                }
                int total = counts.values().stream().mapToInt(Integer::intValue).sum();
                if (total >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // let duplicates show up
                }
            }
        }
        return counts;
    }

    private static KafkaConsumer<String, String> consumer(String groupPrefix) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", EmbeddedServices.bootstrapServers(),
                "group.id", groupPrefix + UUID.randomUUID(), "auto.offset.reset", "earliest",
                "max.poll.records", "2000"), new StringDeserializer(), new StringDeserializer());
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
