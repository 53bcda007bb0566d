package dev.espalier.rollout.generation;

import dev.espalier.events.Failure;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.RolloutsFailed;
import dev.espalier.policy.generate.PromptTooLongException;
import dev.espalier.policy.model.NonFiniteValuesException;
import java.nio.charset.StandardCharsets;
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
 * other failure of the generation (an engine error, non-finite values, out of memory, a prompt too long) is
 * published as RolloutsFailed with its reason, so the session shows it instead of waiting. A prompt whose generation
 * was started {@link #MAX_STARTS} times already, each time ending with the process, is not started again: it is
 * reported failed, never a crash loop. Only a failure to publish is reported through the job's settlement.
 */
public final class RolloutWorker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RolloutWorker.class.getName());
    /** Starts of one prompt's generation before one that ended with the process is not tried again. */
    public static final int MAX_STARTS = 2;

    private final FairQueue<RolloutJob> queue = new FairQueue<>();
    private final Supplier<? extends RolloutGenerator> generatorFactory;
    private final RolloutSink sink;
    private final Clock clock;
    private final Duration retryPause;
    private final AttemptLedger attempts;
    private final Thread thread;

    /** @param generator builds the generator, on the worker thread, when the worker starts */
    public RolloutWorker(Supplier<? extends RolloutGenerator> generator, RolloutSink sink, Clock clock,
                         Duration retryPause, AttemptLedger attempts) {
        this.attempts = attempts;
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
        PromptIssued prompt = job.prompt();
        UUID promptId = prompt.eventId();
        try {
            int started = attempts.begin(promptId);
            if (started > MAX_STARTS) {
                report(job, new Failure(Failure.Kind.INTERRUPTED, "the rollout-service ended " + (started - 1)
                        + " times while writing these rollouts (a crash or an out-of-memory kill), so they are not "
                        + "tried again by themselves; retry, or lower groupSize or maxNewTokens"));
                return;
            }
            long queued = Duration.between(job.receivedAt(), clock.instant()).toMillis();
            sink.ready(generator.generate(prompt, queued, sink::delta));
            attempts.end(promptId);
            job.settlement().done();
        } catch (TransientFailure e) {
            LOG.log(Level.WARNING, "prompt " + promptId + " postponed: " + e.getMessage());
            attempts.postponed(promptId); // nothing was generated: this start does not count
            queue.put(prompt.sessionId(), job);
            pause();
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.log(Level.SEVERE, "prompt " + promptId + " of session " + prompt.sessionId()
                    + " could not be answered", e);
            report(job, failureOf(e));
        }
    }

    private void report(RolloutJob job, Failure failure) {
        PromptIssued prompt = job.prompt();
        try {
            sink.failed(new RolloutsFailed(rolloutsFailedId(prompt.eventId()), prompt.sessionId(), clock.instant(),
                    prompt.eventId(), prompt.eventId(), failure));
            attempts.end(prompt.eventId());
            job.settlement().done();
        } catch (RuntimeException e) {
            job.settlement().failed(e);
        }
    }

    /** Name-based on the prompt, so a failure reported again after a crash is stored once. */
    public static UUID rolloutsFailedId(UUID promptIssuedId) {
        return UUID.nameUUIDFromBytes(("rollouts-failed:" + promptIssuedId).getBytes(StandardCharsets.UTF_8));
    }

    static Failure failureOf(Throwable e) {
        if (e instanceof PromptTooLongException) {
            return new Failure(Failure.Kind.PROMPT_TOO_LONG, e.getMessage() + "; skip or edit the prompt, or lower "
                    + "the system prompt's length");
        }
        if (e instanceof NonFiniteValuesException) {
            return new Failure(Failure.Kind.NON_FINITE, e.getMessage());
        }
        return Failure.of(e);
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
