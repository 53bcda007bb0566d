package dev.espalier.trainer.training;

import dev.espalier.events.Failure;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.HeadMoved;
import dev.espalier.events.SessionEvent.PolicyRestored;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.SessionCreated;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.events.SessionEvent.StepFailed;
import dev.espalier.events.SessionEvent.StepRetried;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.model.CausalLm;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.model.NonFiniteValuesException;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.state.TrainingState;
import dev.espalier.policy.train.Aggregation;
import dev.espalier.policy.train.ChunkedForward;
import dev.espalier.policy.train.Objective;
import dev.espalier.policy.train.PolicyStep;
import dev.espalier.policy.train.StepCase;
import dev.espalier.policy.train.StepResult;
import dev.espalier.policy.train.StepSettings;
import dev.espalier.trainer.journal.JournaledStep;
import dev.espalier.trainer.journal.StoredAdapter;
import dev.espalier.trainer.journal.TrainerStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The trainer's use cases, without Quarkus or Kafka: it journals what it is told (sessions, rollouts), applies one
 * step per choice, and rebuilds any node by replay. Exactly once comes from determinism: a choice already journaled
 * gets its stored StepApplied back, never a second step; a choice whose step died before the journal commit is
 * stepped again from the same state, and that gives the same bits, the same version and the same event id
 * (name-based on the choice's id).
 * <p>
 * The live training state of each session is kept in memory; whenever the state a choice applies to is not the one
 * in memory (after HEAD moved, after a restart, on another replica) it is rebuilt from the journal.
 * <p>
 * Every model computation runs on the process's model thread ({@link SharedModels#run}), whatever thread calls:
 * steps on changing threads (as a Kafka worker pool hands them out) were seen to differ from their replay. That
 * thread also serialises the calls.
 */
public final class SessionTrainer implements AutoCloseable {

    /** Where an adapter can be downloaded, relative to the trainer-service's base URL. */
    public static String adapterPath(UUID sessionId, long policyVersion) {
        return "/adapters/" + sessionId + "/" + policyVersion;
    }

    private static final Logger LOG = Logger.getLogger(SessionTrainer.class.getName());

    private final TrainerStore store;
    private final ModelLocator models;
    private final Path workDir;
    private final Clock clock;
    private final Faults faults;
    private final ReplayCheck replayCheck = ReplayCheck.forDevice(SharedModels.manager().getDevice());
    /** Touched on the model thread only. */
    private final Map<UUID, Live> live = new HashMap<>();
    /**
     * The adapter each session's last step journaled, kept after the commit: the rollout-service downloads it right
     * after the StepApplied, and reading it back from the database cost a round trip with every adapter byte.
     */
    private final Map<UUID, StoredAdapter> lastJournaled = new ConcurrentHashMap<>();
    /**
     * What a step reads besides its state, kept from when it was journaled: sessions never change, and a choice is
     * nearly always about the session's latest rollouts. Each saves a database round trip and a JSON parse per step;
     * the store stays the source whenever these miss (after a restart, on another replica).
     */
    private final Map<UUID, SessionCreated> sessions = new ConcurrentHashMap<>();
    private final Map<UUID, RolloutsReady> latestRollouts = new ConcurrentHashMap<>();

    /** States HEAD left, by session and version; touched on the model thread only. */
    private final StateShelf shelf;

    private record Live(long version, TrainingState state) {
    }

    /**
     * Fault injection for the crash tests, which halt the process at these points.
     *
     * @param beforeJournalCommit after a step is computed, before it is journaled
     * @param afterReplayedStep   after each step a rebuild re-applies
     */
    public record Faults(Runnable beforeJournalCommit, Runnable afterReplayedStep) {
        public static final Faults NONE = new Faults(() -> { }, () -> { });
    }

    /**
     * @param workDir             scratch space for saving states before they go into the store
     * @param faults     where the crash tests halt the process; {@link Faults#NONE} otherwise
     * @param statesKept how many training states HEAD left stay in memory, in the whole process, so that undo and
     *                   redo to them need no replay (0: every move replays)
     */
    public SessionTrainer(TrainerStore store, ModelLocator models, Path workDir, Clock clock, Faults faults,
                          int statesKept) {
        this.shelf = new StateShelf(statesKept);
        this.store = store;
        this.models = models;
        this.workDir = workDir;
        this.clock = clock;
        this.faults = faults;
    }

    public void sessionCreated(SessionCreated created) {
        store.saveSession(created);
    }

    public void rolloutsReady(RolloutsReady ready) {
        store.saveRollouts(ready);
        latestRollouts.put(ready.sessionId(), ready);
    }

    /**
     * Applies the step for a choice once; a choice seen before gets the StepApplied it got then. A step that cannot be
     * applied (an engine error, non-finite values, out of memory) is answered with a StepFailed and nothing of it is
     * kept; one started {@link #MAX_STARTS} times already, each ending with the process, is not started again.
     */
    public SessionEvent choiceMade(ChoiceMade choice) {
        return attempt(choice, choice.eventId());
    }

    /** The person asked for a failed step again: it is tried as if the choice had just been made. */
    public SessionEvent stepRetried(StepRetried retried) {
        Optional<StepApplied> done = store.stepAppliedFor(retried.choiceMadeId());
        if (done.isPresent()) {
            return done.get();
        }
        Optional<ChoiceMade> choice = store.startedChoice(retried.choiceMadeId());
        if (choice.isEmpty()) {
            return new StepFailed(stepFailedId(retried.eventId()), retried.sessionId(), clock.instant(),
                    retried.eventId(), retried.choiceMadeId(), null, new Failure(Failure.Kind.ERROR,
                    "the trainer never received choice " + retried.choiceMadeId()));
        }
        store.clearStarts(retried.choiceMadeId());
        return attempt(choice.get(), retried.eventId());
    }

    /** Starts of one step before one that ended with the process is not tried again by itself. */
    public static final int MAX_STARTS = 2;

    private SessionEvent attempt(ChoiceMade choice, UUID cause) {
        Optional<StepApplied> done = store.stepAppliedFor(choice.eventId());
        if (done.isPresent()) {
            return done.get();
        }
        int starts = store.beginStep(choice);
        if (starts > MAX_STARTS) {
            return failed(choice, cause, new Failure(Failure.Kind.INTERRUPTED, "the trainer-service ended "
                    + (starts - 1) + " times during this step (a crash or an out-of-memory kill), so it is not tried "
                    + "again by itself; retry, or undo to take the pick back and lower groupSize or maxNewTokens"));
        }
        try {
            return onEngine(() -> step(choice));
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.log(Level.SEVERE, "the step for choice " + choice.eventId() + " of session " + choice.sessionId()
                    + " failed", e);
            return failed(choice, cause, e instanceof NonFiniteValuesException
                    ? new Failure(Failure.Kind.NON_FINITE, e.getMessage()) : Failure.of(e));
        }
    }

    private StepFailed failed(ChoiceMade choice, UUID cause, Failure failure) {
        return new StepFailed(stepFailedId(cause), choice.sessionId(), clock.instant(), cause, choice.eventId(),
                choice.nodeId(), failure);
    }

    /** Name-based on what asked for the step (the choice, or a retry), so a failure reported twice is stored once. */
    public static UUID stepFailedId(UUID causeId) {
        return UUID.nameUUIDFromBytes(("step-failed:" + causeId).getBytes(StandardCharsets.UTF_8));
    }

    private StepApplied step(ChoiceMade choice) {
        Optional<StepApplied> done = store.stepAppliedFor(choice.eventId());
        if (done.isPresent()) {
            return done.get();
        }
        long started = System.nanoTime();
        UUID sessionId = choice.sessionId();
        SessionCreated session = requireSession(sessionId);
        RolloutsReady rollouts = rollouts(choice);
        StepCase stepCase = stepCase(rollouts, choice);
        StepSettings settings = settings(session.config());
        TrainingState state = stateAt(session, choice.policyVersion());
        long version = store.latestVersion(sessionId) + 1;
        try {
            if (shelf.keeps()) {
                // Where an undo of this step goes back to: the step replaces the state's arrays.
                shelf.put(sessionId, choice.policyVersion(), state.copy());
            }
            StepResult result = new PolicyStep(ChunkedForward.of(model(session))).apply(state, stepCase, settings);
            boolean full = result.step() % session.config().checkpointEvery() == 0;
            String sha = state.adapter().sha256();
            byte[][] archives = archive(state, full);
            StepApplied applied = new StepApplied(stepAppliedId(choice.eventId()), sessionId, clock.instant(),
                    choice.eventId(), choice.eventId(), choice.nodeId(), version, metrics(result),
                    new StepApplied.AdapterRef(adapterPath(sessionId, version), sha), full,
                    (System.nanoTime() - started) / 1_000_000);
            faults.beforeJournalCommit().run();
            store.record(new JournaledStep(choice.eventId(), sessionId, choice.nodeId(), version,
                    choice.policyVersion(), stepCase, settings, full), applied, archives[0], archives[1]);
            lastJournaled.put(sessionId, new StoredAdapter(version, sha, archives[0]));
            live.put(sessionId, new Live(version, state));
            return applied;
        } catch (RuntimeException | OutOfMemoryError e) {
            // The in-memory state may be a step ahead of the journal: forget it, the next use rebuilds.
            forget(sessionId);
            throw e;
        }
    }

    /**
     * Makes the policy of the node HEAD moved to the session's live state, so the next step starts from it: the
     * live state if it is that node's, a state kept since HEAD left it, else rebuilt by replay. A state held in
     * memory is answered with no step replayed and its own version as the checkpoint it started from.
     */
    public PolicyRestored headMoved(HeadMoved moved) {
        return onEngine(() -> restore(moved));
    }

    private PolicyRestored restore(HeadMoved moved) {
        SessionCreated session = requireSession(moved.sessionId());
        long version = versionOf(session, moved.toNodeId());
        Live current = live.get(moved.sessionId());
        int replayed = 0;
        Long from = version;
        if (current == null || current.version() != version) {
            Optional<TrainingState> kept = shelf.take(moved.sessionId(), version);
            TrainingState state;
            if (kept.isPresent()) {
                state = kept.get();
            } else {
                Rebuild rebuild = rebuild(session, version);
                state = rebuild.state();
                replayed = rebuild.summary().stepsReplayed();
                from = rebuild.summary().fromCheckpointVersion();
            }
            leave(moved.sessionId());
            live.put(moved.sessionId(), new Live(version, state));
        }
        return new PolicyRestored(policyRestoredId(moved.eventId()), moved.sessionId(), clock.instant(),
                moved.eventId(), moved.toNodeId(), version, replayed, from);
    }

    /** Rebuilds a version by replay, checks it against the stored adapter, and lets it go (live state untouched). */
    public Rebuilt verifyReplay(UUID sessionId, long version) {
        return onEngine(() -> {
            Rebuild rebuild = rebuild(requireSession(sessionId), version);
            rebuild.state().close();
            return rebuild.summary();
        });
    }

    public Optional<StoredAdapter> adapter(UUID sessionId, long version) {
        StoredAdapter last = lastJournaled.get(sessionId);
        return last != null && last.policyVersion() == version ? Optional.of(last) : store.adapter(sessionId, version);
    }

    /** The StepApplied event id for a choice: the same however often the step is (re)computed. */
    public static UUID stepAppliedId(UUID choiceMadeId) {
        return UUID.nameUUIDFromBytes(("step-applied:" + choiceMadeId).getBytes(StandardCharsets.UTF_8));
    }

    public static UUID policyRestoredId(UUID headMovedId) {
        return UUID.nameUUIDFromBytes(("policy-restored:" + headMovedId).getBytes(StandardCharsets.UTF_8));
    }

    private TrainingState stateAt(SessionCreated session, long version) {
        Live current = live.get(session.sessionId());
        if (current != null && current.version() == version) {
            return current.state();
        }
        TrainingState state = shelf.take(session.sessionId(), version)
                .orElseGet(() -> rebuild(session, version).state());
        leave(session.sessionId());
        live.put(session.sessionId(), new Live(version, state));
        return state;
    }

    private record Rebuild(TrainingState state, Rebuilt summary) {
    }

    /**
     * DESIGN.md §4: the nearest full checkpoint on the version's path (or the seed), then the journaled steps after
     * it in order. The result is checked against the stored adapter ({@link ReplayCheck}: bit for bit on the CPU).
     */
    private Rebuild rebuild(SessionCreated session, long version) {
        UUID sessionId = session.sessionId();
        Deque<JournaledStep> replay = new ArrayDeque<>();
        Long from = null;
        for (long at = version; at != 0; ) {
            long v = at;
            JournaledStep step = store.stepProducing(sessionId, v).orElseThrow(() -> new IllegalStateException(
                    "session " + sessionId + " has no policy version " + v));
            if (step.checkpointed()) {
                from = v;
                break;
            }
            replay.push(step);
            at = step.parentVersion();
        }
        TrainingState state = from == null ? fresh(session) : loadCheckpoint(session, from);
        try {
            PolicyStep step = new PolicyStep(ChunkedForward.of(model(session)));
            for (JournaledStep s : replay) {
                step.apply(state, s.stepCase(), s.settings());
                faults.afterReplayedStep().run();
            }
            String sha = version == 0 ? state.adapter().sha256()
                    : replayCheck.verify("version " + version + " of session " + sessionId, state.adapter(),
                            store.adapter(sessionId, version).orElseThrow(), modelDir(session), workDir);
            return new Rebuild(state, new Rebuilt(version, sha, replay.size(), from));
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
    }

    private TrainingState fresh(SessionCreated session) {
        SessionConfig config = session.config();
        LoraConfig lora = new LoraConfig(config.lora().rank(), config.lora().alpha(), config.lora().targets(),
                config.model());
        return TrainingState.fresh(modelDir(session), lora, config.sampling().seed(), SharedModels.manager());
    }

    private TrainingState loadCheckpoint(SessionCreated session, long version) {
        Path dir = scratch("checkpoint-");
        try {
            StateArchive.unzip(store.checkpoint(session.sessionId(), version), dir.resolve("state"));
            return TrainingState.load(dir.resolve("state"), modelDir(session), session.config().sampling().seed(),
                    SharedModels.manager());
        } finally {
            StateArchive.deleteTree(dir);
        }
    }

    /**
     * [0] the PEFT adapter zip, [1] the full checkpoint zip or null. Built in memory: they go into the journal, and the
     * optimizer moments only into full checkpoints.
     */
    private static byte[][] archive(TrainingState state, boolean full) {
        if (!full) {
            return new byte[][] {StateArchive.zip(state.adapter().files()), null};
        }
        Map<String, byte[]> files = state.files();
        Map<String, byte[]> adapterOnly = new LinkedHashMap<>(files);
        adapterOnly.remove(TrainingState.OPTIMIZER_FILE);
        return new byte[][] {StateArchive.zip(adapterOnly), StateArchive.zip(files)};
    }

    private long versionOf(SessionCreated session, UUID nodeId) {
        if (nodeId.equals(session.rootNodeId())) {
            return 0;
        }
        return store.versionOf(session.sessionId(), nodeId).orElseThrow(() -> new IllegalStateException(
                "node " + nodeId + " of session " + session.sessionId() + " holds no policy version"));
    }

    private SessionCreated requireSession(UUID sessionId) {
        SessionCreated cached = sessions.get(sessionId);
        if (cached != null) {
            return cached;
        }
        SessionCreated stored = store.session(sessionId).orElseThrow(() -> new IllegalStateException(
                "session " + sessionId + " was never created here (no session-created event received)"));
        sessions.put(sessionId, stored);
        return stored;
    }

    private RolloutsReady rollouts(ChoiceMade choice) {
        RolloutsReady latest = latestRollouts.get(choice.sessionId());
        if (latest != null && latest.eventId().equals(choice.rolloutsReadyId())) {
            return latest;
        }
        return store.rollouts(choice.rolloutsReadyId()).orElseThrow(() -> new IllegalStateException(
                "choice " + choice.eventId() + " names rollouts " + choice.rolloutsReadyId() + ", never received"));
    }

    private Path modelDir(SessionCreated session) {
        return models.locate(session.config().model());
    }

    private CausalLm model(SessionCreated session) {
        return SharedModels.get(modelDir(session));
    }

    private static StepCase stepCase(RolloutsReady rollouts, ChoiceMade choice) {
        int[] prompt = rollouts.promptTokenIds().stream().mapToInt(Integer::intValue).toArray();
        int[][] completions = rollouts.rollouts().stream()
                .map(r -> r.tokenIds().stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        return new StepCase(prompt, completions, choice.isNone() ? StepCase.NONE : choice.chosenIndex());
    }

    static StepSettings settings(SessionConfig config) {
        return new StepSettings(config.objective() == SessionConfig.Objective.DPO ? Objective.DPO : Objective.GRPO,
                Aggregation.SEQ_MEAN, config.learningRate(), config.klBeta(), config.weightDecay(),
                config.maxGradNorm(), config.dpoBeta(), StepSettings.DEFAULT_LOGIT_CHUNK_BYTES);
    }

    private static StepApplied.StepMetrics metrics(StepResult r) {
        return new StepApplied.StepMetrics(r.loss(), r.policyTerm(), r.klTerm(), r.gradNorm(),
                Arrays.stream(r.advantages()).boxed().toList(), Arrays.stream(r.drift()).boxed().toList());
    }

    private Path scratch(String prefix) {
        try {
            Files.createDirectories(workDir);
            return Files.createTempDirectory(workDir, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create scratch space in " + workDir, e);
        }
    }

    /** The live state stops being live but is kept: the person may come back to it. */
    private void leave(UUID sessionId) {
        Live old = live.remove(sessionId);
        if (old != null) {
            shelf.put(sessionId, old.version(), old.state());
        }
    }

    /** The live state may be ahead of the journal: it is dropped, the next use rebuilds. */
    private void forget(UUID sessionId) {
        Live old = live.remove(sessionId);
        if (old != null) {
            old.state().close();
        }
    }

    private static <T> T onEngine(Callable<T> work) {
        return SharedModels.run(work);
    }

    @Override
    public void close() {
        onEngine(() -> {
            live.values().forEach(l -> l.state().close());
            live.clear();
            shelf.close();
            return null;
        });
    }
}
