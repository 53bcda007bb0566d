package dev.espalier.rollout.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ModelTurnsTest {

    private final ModelTurns turns = new ModelTurns();
    private final List<String> order = new CopyOnWriteArrayList<>();

    private Thread queued(String name) throws InterruptedException {
        Thread t = Thread.ofPlatform().start(() -> turns.take(() -> order.add(name)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(Thread.State.WAITING, t.getState(), name + " waits for its turn");
        return t;
    }

    @Test
    void aQuestion_waitsForTheBatchInProgress_andGoesBeforeTheNextBatch() throws InterruptedException {
        CountDownLatch batchRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread worker = Thread.ofPlatform().start(() -> turns.take(() -> {
            batchRunning.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return order.add("batch 1");
        }));
        batchRunning.await(10, TimeUnit.SECONDS);
        Thread question = queued("question");
        Thread nextBatch = queued("batch 2");

        release.countDown();
        for (Thread t : List.of(worker, question, nextBatch)) {
            t.join(10_000);
        }

        assertEquals(List.of("batch 1", "question", "batch 2"), order);
    }
}
