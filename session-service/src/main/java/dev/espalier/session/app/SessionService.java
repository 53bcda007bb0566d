package dev.espalier.session.app;

import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.domain.SessionCommand;
import dev.espalier.session.domain.SessionDecider;
import dev.espalier.session.domain.SessionRejection;
import dev.espalier.session.domain.SessionState;
import dev.espalier.session.models.EngineAdmission;
import dev.espalier.session.models.ServedModel;
import dev.espalier.session.projection.Projections;
import dev.espalier.session.prompts.PromptCatalog;
import dev.espalier.session.store.EventStore;
import dev.espalier.session.store.OutboxRelay;
import dev.espalier.session.store.StoredEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Runs commands and appends other services' events: load the session's events, fold them, decide, append at the
 * version folded (a concurrent writer makes that a conflict), then feed the read models and wake the outbox relay.
 * Folded states are kept per session and topped up with newer events from the store, not re-folded each time.
 */
@ApplicationScoped
public class SessionService {

    private static final Logger LOG = Logger.getLogger(SessionService.class);
    /**
     * How often an append that raced another writer is decided again: another service's event has no person to
     * report a conflict to, and a command without an expected version asked for whatever state the session is at.
     */
    private static final int APPEND_ATTEMPTS = 40;

    private final EventStore store;
    private final Projections projections;
    private final OutboxRelay relay;
    private final PromptCatalog prompts;
    private final ServedModel servedModel;
    private final EngineAdmission admission;
    private final SessionDecider decider;
    private final Supplier<UUID> ids;
    /** Folded states by session; always checked against the store before use, never trusted alone. */
    private final Map<UUID, SessionState> folded = new ConcurrentHashMap<>();
    private final Lock[] writeLocks = Stream.generate(ReentrantLock::new).limit(64).toArray(Lock[]::new);

    public SessionService(EventStore store, Projections projections, OutboxRelay relay, PromptCatalog prompts,
                          ServedModel servedModel, EngineAdmission admission, Clock clock) {
        this.admission = admission;
        this.store = store;
        this.servedModel = servedModel;
        this.projections = projections;
        this.relay = relay;
        this.prompts = prompts;
        this.ids = UUID::randomUUID;
        this.decider = new SessionDecider(clock, ids);
    }

    /**
     * Starts a session and issues its first prompt; its model must be the one served here, its typed prompts and
     * size must fit that model ({@link EngineAdmission}), and the prompt source is loaded (and checked) first.
     */
    public SessionState create(SessionConfig config, Caller caller) {
        servedModel.require(config.model());
        admission.requireFits(config);
        UUID sessionId = ids.get();
        SessionState none = SessionState.none(sessionId);
        List<SessionEvent> events = decider.decide(new SessionCommand.CreateSession(config), none,
                prompts.sequenceFor(config.prompts()), caller.actor());
        return committed(none, store.append(sessionId, 0, events));
    }

    /**
     * Decides {@code command} and appends what it decided. A command without an expected version asked for the
     * session as it is: if another instance's writer got in between, it is decided again against the new state,
     * whose rules still apply, instead of failing a click that raced nothing the person saw.
     */
    public SessionState handle(UUID sessionId, SessionCommand command, Caller caller) {
        if (command instanceof SessionCommand.EditPrompt edit && SessionDecider.isPlayableText(edit.text())) {
            SessionState state = visible(sessionId, caller);
            if (state.exists()) {
                admission.requireFits(state.config(), edit.text()); // before the lock: it asks the rollout-service
            }
        }
        return exclusively(sessionId, () -> decideAndAppend(sessionId, command, caller));
    }

    /** The session as {@link #load} has it, or none when {@code caller} may not see it (someone else's is a 404). */
    public SessionState visible(UUID sessionId, Caller caller) {
        SessionState state = load(sessionId);
        return state.exists() && !caller.maySee(state.owner()) ? SessionState.none(sessionId) : state;
    }

    private SessionState decideAndAppend(UUID sessionId, SessionCommand command, Caller caller) {
        for (int attempt = 1; ; attempt++) {
            SessionState state = visible(sessionId, caller);
            if (!state.exists()) {
                throw new SessionRejection.NotFound("no session " + sessionId);
            }
            List<SessionEvent> events = decider.decide(command, state, prompts.sequenceFor(state.config().prompts()),
                    caller.actor());
            try {
                return committed(state, store.append(sessionId, state.version(), events));
            } catch (SessionRejection.VersionConflict e) {
                if (command.expectedVersion() != null || attempt == APPEND_ATTEMPTS) {
                    throw e;
                }
                LOG.debugf("%s on session %s raced another writer (attempt %d), deciding again",
                        command.getClass().getSimpleName(), sessionId, attempt);
                backOff(attempt);
            }
        }
    }

    /**
     * The session as the store has it now: the last state this instance folded, brought up to date with the
     * events stored after it (usually none), so a command reads one short query instead of the whole stream.
     */
    public SessionState load(UUID sessionId) {
        SessionState cached = folded.getOrDefault(sessionId, SessionState.none(sessionId));
        SessionState state = cached;
        for (StoredEvent e : store.loadAfter(sessionId, cached.version())) {
            state = SessionDecider.evolve(state, e.event());
        }
        remember(state);
        return state;
    }

    private void remember(SessionState state) {
        if (state.exists()) {
            folded.merge(state.sessionId(), state, (old, now) -> now.version() > old.version() ? now : old);
        }
    }

    /** What appending another service's event did. */
    public enum ForeignAppend { APPENDED, ALREADY_STORED, UNKNOWN_SESSION }

    /**
     * Appends an event from the rollout- or trainer-service once, whatever how often it is delivered, together
     * with the session's reaction to it (the next prompt after a step or a restore).
     */
    public ForeignAppend appendForeign(SessionEvent event) {
        return exclusively(event.sessionId(), () -> appendWithReaction(event));
    }

    private ForeignAppend appendWithReaction(SessionEvent event) {
        for (int attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
            // No look-up first: a redelivered event fails the append on its unique event id (DuplicateEventException
            // below), with the session's reaction to it, so every first delivery saves a round trip.
            SessionState before = load(event.sessionId());
            if (!before.exists()) {
                return ForeignAppend.UNKNOWN_SESSION;
            }
            SessionState after = SessionDecider.evolve(before, event);
            List<SessionEvent> events = new ArrayList<>();
            events.add(event);
            events.addAll(decider.react(before, after, event, prompts.sequenceFor(before.config().prompts())));
            try {
                committed(before, store.append(event.sessionId(), before.version(), events));
                return ForeignAppend.APPENDED;
            } catch (EventStore.DuplicateEventException e) {
                return ForeignAppend.ALREADY_STORED;
            } catch (SessionRejection.VersionConflict e) {
                LOG.debugf("append of %s raced another writer (attempt %d), retrying", event.eventId(), attempt);
                backOff(attempt);
            }
        }
        throw new SessionRejection.VersionConflict("could not append " + event.eventId() + " after "
                + APPEND_ATTEMPTS + " attempts: session " + event.sessionId() + " keeps changing");
    }

    /**
     * Records that {@code sessionId}, whose latest request of rollouts or a step is older than {@code timeout}, has
     * waited too long, if it still waits. Returns whether a failure was appended.
     */
    public boolean giveUpWaiting(UUID sessionId, Duration timeout) {
        return exclusively(sessionId, () -> {
            SessionState state = load(sessionId);
            if (!state.exists()) {
                return false;
            }
            return decider.giveUpWaiting(state, timeout).map(failure -> {
                try {
                    committed(state, store.append(state.sessionId(), state.version(), List.of(failure)));
                    LOG.warnf("session %s: %s", state.sessionId(), failureReason(failure));
                    return true;
                } catch (SessionRejection.VersionConflict e) {
                    return false; // the answer came in between
                }
            }).orElse(false);
        });
    }

    private static String failureReason(SessionEvent failure) {
        return switch (failure) {
            case SessionEvent.RolloutsFailed f -> f.failure().reason();
            case SessionEvent.StepFailed f -> f.failure().reason();
            default -> failure.toString();
        };
    }

    /**
     * A random pause that grows with the attempt: writers that keep racing each other on another instance would
     * otherwise retry in lockstep and one of them could lose every attempt.
     */
    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + 2L * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionRejection.VersionConflict("interrupted while waiting to append again");
        }
    }

    /**
     * Writers of one session take turns inside this instance, so a click and an event from another service do not
     * decide against the same version; the store's version check still guards against other instances.
     */
    private <T> T exclusively(UUID sessionId, Supplier<T> write) {
        Lock lock = writeLocks[Math.floorMod(sessionId.hashCode(), writeLocks.length)];
        lock.lock();
        try {
            return write.get();
        } finally {
            lock.unlock();
        }
    }

    private SessionState committed(SessionState before, List<StoredEvent> stored) {
        relay.wake(); // first: the other services wait on the relay, the read models only on this thread
        projections.apply(stored);
        SessionState state = before;
        for (StoredEvent e : stored) {
            state = SessionDecider.evolve(state, e.event());
        }
        remember(state);
        return state;
    }
}
