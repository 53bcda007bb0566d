package dev.espalier.rollout.generation;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one generation worker of the process (one model, one batch at a time); the generator is built when it starts.
 * It takes jobs from a {@link FairQueue}
 * round-robin across sessions, generates, publishes, and settles the job. A job that fails with an I/O problem (the
 * trainer is restarting, say) goes back to the end of its session's queue and is tried again after a pause; any
 * other failure is reported through its settlement.
 */
public final class RolloutWorker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RolloutWorker.class.getName());

    private final FairQueue<RolloutJob> queue = new FairQueue<>();
    private final Supplier<? extends RolloutGenerator> generatorFactory;
    private final RolloutSink sink;
    private final Clock clock;
    private final Duration retryPause;
    private final Thread thread;

    /** @param generator builds the generator, on the worker thread, when the worker starts */
    public RolloutWorker(Supplier<? extends RolloutGenerator> generator, RolloutSink sink, Clock clock,
                         Duration retryPause) {
        this.generatorFactory = generator;
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

    /**
     * Drops a prompt that was skipped or edited before its turn came: nobody will look at its rollouts. It is
     * settled as done (its record may be committed). Returns false when it is not waiting (already generating,
     * served, or never received); then it is answered as usual and the session-service ignores the late answer.
     */
    public boolean withdraw(UUID sessionId, UUID promptIssuedId) {
        List<RolloutJob> dropped = queue.remove(sessionId, job -> job.prompt().eventId().equals(promptIssuedId));
        dropped.forEach(job -> job.settlement().done());
        return !dropped.isEmpty();
    }

    public int pending() {
        return queue.size();
    }

    private void run() {
        RolloutGenerator generator;
        try {
            generator = generatorFactory.get();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "the rollout generator could not be built; no prompt will be served", e);
            return;
        }
        while (!Thread.currentThread().isInterrupted()) {
            RolloutJob job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            serve(generator, job);
        }
    }

    private void serve(RolloutGenerator generator, RolloutJob job) {
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
