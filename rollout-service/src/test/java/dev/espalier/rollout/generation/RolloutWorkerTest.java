package dev.espalier.rollout.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.ChatMessage;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.Failure;
import dev.espalier.events.SessionEvent.RolloutsFailed;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.policy.generate.PromptTooLongException;
import java.nio.file.Path;
import dev.espalier.events.TokenDelta;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generation worker's scheduling and settlement, with a recording generator instead of a model. */
class RolloutWorkerTest {

    private final List<String> served = new CopyOnWriteArrayList<>();
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final List<RolloutsFailed> failures = new CopyOnWriteArrayList<>();
    @TempDir
    Path work;

    private AttemptLedger ledger() {
        return new AttemptLedger(work.resolve("attempts"));
    }

    private static PromptIssued prompt(UUID session, String text) {
        return new PromptIssued(UUID.randomUUID(), session, Instant.now(), null, UUID.randomUUID(), UUID.randomUUID(),
                0, 0, List.of(ChatMessage.user(text)),
                new SessionConfig.PromptFormat(SessionConfig.PromptFormat.Mode.RAW, null, "", ""),
                new SessionConfig.Sampling(1, 0, 1, 4, 1), 2, null);
    }

    private RolloutGenerator recording(CountDownLatch started, CountDownLatch release) {
        return (p, queued, deltas) -> {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            served.add(p.userText());
            return new RolloutsReady(UUID.randomUUID(), p.sessionId(), Instant.now(), p.eventId(), p.eventId(), 0,
                    List.of(1), List.of(), null, new RolloutsReady.Timings(queued, 0, 0));
        };
    }

    private RolloutSink sink() {
        return new RolloutSink() {
            @Override
            public void delta(TokenDelta delta) {
            }

            @Override
            public void ready(RolloutsReady ready) {
            }

            @Override
            public void failed(RolloutsFailed failed) {
                failures.add(failed);
            }
        };
    }

    private RolloutJob job(PromptIssued p, CountDownLatch done) {
        return new RolloutJob(p, Instant.now(), new RolloutJob.Settlement() {
            @Override
            public void done() {
                acknowledged.add(p.userText());
                done.countDown();
            }

            @Override
            public void failed(Throwable cause) {
                throw new AssertionError("unexpected failure", cause);
            }
        });
    }

    @Test
    void sessionB_isServedBeforeSessionA_finishesItsBacklog() throws InterruptedException {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(6);
        try (RolloutWorker worker = new RolloutWorker(() -> recording(started, release), sink(), Clock.systemUTC(),
                Duration.ofMillis(10), ledger()).start()) {
            worker.submit(job(prompt(a, "a1"), done));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            // While a1 generates, A's backlog grows to five, then B asks once.
            for (int i = 2; i <= 5; i++) {
                worker.submit(job(prompt(a, "a" + i), done));
            }
            worker.submit(job(prompt(b, "b1"), done));
            release.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of("a1", "a2", "b1", "a3", "a4", "a5"), served);
        assertEquals(served, acknowledged, "each prompt is acknowledged once, after it was served");
    }

    @Test
    void prompt_whosePolicyIsUnreachable_isRetriedLater_andOthersGoOn() throws InterruptedException {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        AtomicInteger attemptsOfA = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(2);
        RolloutGenerator flaky = (p, queued, deltas) -> {
            if (p.sessionId().equals(a) && attemptsOfA.incrementAndGet() < 3) {
                throw new RolloutWorker.TransientFailure("trainer down", null);
            }
            served.add(p.userText());
            return new RolloutsReady(UUID.randomUUID(), p.sessionId(), Instant.now(), p.eventId(), p.eventId(), 0,
                    List.of(1), List.of(), null, new RolloutsReady.Timings(queued, 0, 0));
        };
        try (RolloutWorker worker = new RolloutWorker(() -> flaky, sink(), Clock.systemUTC(), Duration.ofMillis(10),
                ledger())) {
            worker.submit(job(prompt(a, "a1"), done));
            worker.submit(job(prompt(b, "b1"), done));
            worker.start();
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of("b1", "a1"), served);
        assertEquals(3, attemptsOfA.get());
    }

    @Test
    void prompt_skippedWhileQueued_isNeverGenerated_butSettled() throws InterruptedException {
        UUID a = UUID.randomUUID();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(3);
        PromptIssued skipped = prompt(a, "a2");
        try (RolloutWorker worker = new RolloutWorker(() -> recording(started, release), sink(), Clock.systemUTC(),
                Duration.ofMillis(10), ledger()).start()) {
            PromptIssued first = prompt(a, "a1");
            worker.submit(job(first, done));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            worker.submit(job(skipped, done));
            worker.submit(job(prompt(a, "a3"), done));

            assertTrue(worker.withdraw(a, skipped.eventId()));
            assertFalse(worker.withdraw(a, first.eventId()), "a prompt already generating is answered");
            release.countDown();
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of("a1", "a3"), served);
        assertEquals(List.of("a2", "a1", "a3"), acknowledged);
    }

    @Test
    void generation_thatFails_isPublishedAsRolloutsFailed_withItsKind_andTheNextPromptIsServed()
            throws InterruptedException {
        UUID a = UUID.randomUUID();
        CountDownLatch done = new CountDownLatch(3);
        RolloutGenerator failing = (p, queued, deltas) -> {
            switch (p.userText()) {
                case "long" -> throw new PromptTooLongException(6431, 2048);
                case "oom" -> throw new OutOfMemoryError("Java heap space");
                default -> {
                    served.add(p.userText());
                    return new RolloutsReady(UUID.randomUUID(), p.sessionId(), Instant.now(), p.eventId(),
                            p.eventId(), 0, List.of(1), List.of(), null, new RolloutsReady.Timings(queued, 0, 0));
                }
            }
        };
        PromptIssued tooLong = prompt(a, "long");
        try (RolloutWorker worker = new RolloutWorker(() -> failing, sink(), Clock.systemUTC(), Duration.ofMillis(10),
                ledger()).start()) {
            worker.submit(job(tooLong, done));
            worker.submit(job(prompt(a, "oom"), done));
            worker.submit(job(prompt(a, "fine"), done));
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of("fine"), served);
        assertEquals(List.of(Failure.Kind.PROMPT_TOO_LONG, Failure.Kind.OUT_OF_MEMORY),
                failures.stream().map(f -> f.failure().kind()).toList());
        RolloutsFailed first = failures.get(0);
        assertEquals(tooLong.eventId(), first.promptIssuedId());
        assertEquals(RolloutWorker.rolloutsFailedId(tooLong.eventId()), first.eventId());
        assertTrue(first.failure().reason().contains("6431 tokens"), first.failure().reason());
        assertEquals(List.of("long", "oom", "fine"), acknowledged, "a reported failure settles its record");
    }

    @Test
    void prompt_whoseGenerationEndedTheProcessTwice_isReportedInterrupted_notStartedAThirdTime()
            throws InterruptedException {
        PromptIssued deadly = prompt(UUID.randomUUID(), "deadly");
        AttemptLedger ledger = ledger();
        ledger.begin(deadly.eventId()); // two earlier processes started it and died
        ledger.begin(deadly.eventId());
        CountDownLatch done = new CountDownLatch(1);
        try (RolloutWorker worker = new RolloutWorker(() -> recording(new CountDownLatch(1), new CountDownLatch(0)),
                sink(), Clock.systemUTC(), Duration.ofMillis(10), ledger).start()) {
            worker.submit(job(deadly, done));
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), served);
        assertEquals(Failure.Kind.INTERRUPTED, failures.get(0).failure().kind());
        assertEquals(1, ledger.begin(deadly.eventId()), "a reported prompt's count is cleared (a retry is a new "
                + "PromptIssued anyway)");
    }
}
