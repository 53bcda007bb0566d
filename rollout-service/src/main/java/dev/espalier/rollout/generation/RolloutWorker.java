package dev.espalier.rollout.generation;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one generation thread of the process (one model, one batch at a time): takes jobs from a {@link FairQueue}
 * round-robin across sessions, generates, publishes, and settles the job. A job that fails with an I/O problem (the
 * trainer is restarting, say) goes back to the end of its session's queue and is tried again after a pause; any
 * other failure is reported through its settlement.
 */
public final class RolloutWorker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RolloutWorker.class.getName());

    private final FairQueue<RolloutJob> queue = new FairQueue<>();
    private final RolloutGenerator generator;
    private final RolloutSink sink;
    private final Clock clock;
    private final Duration retryPause;
    private final Thread thread;

    public RolloutWorker(RolloutGenerator generator, RolloutSink sink, Clock clock, Duration retryPause) {
        this.generator = generator;
        this.sink = sink;
        this.clock = clock;
        this.retryPause = retryPause;
        this.thread = Thread.ofPlatform().name("rollout-worker").daemon().unstarted(this::run);
    }

    public RolloutWorker start() {
        thread.start();
        return this;
    }

    public void submit(RolloutJob job) {
        queue.put(job.prompt().sessionId(), job);
    }

    public int pending() {
        return queue.size();
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            RolloutJob job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            serve(job);
        }
    }

    private void serve(RolloutJob job) {
        UUID promptId = job.prompt().eventId();
        try {
            long queued = Duration.between(job.receivedAt(), clock.instant()).toMillis();
            sink.ready(generator.generate(job.prompt(), queued, sink::delta));
            job.settlement().done();
        } catch (TransientFailure e) {
            LOG.log(Level.WARNING, "prompt " + promptId + " postponed: " + e.getMessage());
            queue.put(job.prompt().sessionId(), job);
            pause();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "prompt " + promptId + " could not be answered", e);
            job.settlement().failed(e);
        }
    }

    private void pause() {
        try {
            Thread.sleep(retryPause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }

    /** A failure worth retrying later: a dependency is unreachable for now. */
    public static final class TransientFailure extends RuntimeException {
        public TransientFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
