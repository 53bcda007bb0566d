package dev.espalier.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.events.Actor;
import dev.espalier.events.Failure;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.HeadMoved;
import dev.espalier.events.SessionEvent.PolicyRestored;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.events.SessionEvent.StepFailed;
import dev.espalier.hub.DownloadListener;
import dev.espalier.hub.HubClient;
import dev.espalier.policy.model.HubModelLocator;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.trainer.journal.TrainerStore;
import dev.espalier.trainer.training.TrainerFixture.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's use cases on a real PostgreSQL and a tiny real model, without Quarkus or Kafka. */
class SessionTrainerTest {

    @TempDir
    Path work;

    private final TrainerStore store = new TrainerStore(TrainerFixture.POSTGRES.dataSource());
    private final List<SessionTrainer> trainers = new ArrayList<>();

    /** A trainer that keeps no state HEAD left: every move replays. */
    private SessionTrainer trainer(Runnable beforeCommit) {
        return trainer(beforeCommit, 0);
    }

    private SessionTrainer trainer(Runnable beforeCommit, int statesKept) {
        SessionTrainer trainer = new SessionTrainer(store, ModelLocator.LOCAL_DIRECTORY, work, Clock.systemUTC(),
                new SessionTrainer.Faults(beforeCommit, () -> { }), statesKept);
        trainers.add(trainer);
        return trainer;
    }

    private SessionTrainer trainer() {
        return trainer(() -> { });
    }

    @AfterEach
    void close() {
        trainers.forEach(SessionTrainer::close);
    }

    /** Plays one step from {@code policyVersion}: rollouts are journaled, then the choice trained on. */
    private static StepApplied play(SessionTrainer trainer, Session session, long policyVersion, Integer choice) {
        RolloutsReady rollouts = session.rollouts(policyVersion);
        trainer.rolloutsReady(rollouts);
        return applied(trainer.choiceMade(session.choice(rollouts, choice)));
    }

    private static StepApplied applied(SessionEvent answer) {
        return assertInstanceOf(StepApplied.class, answer, () -> "the step failed: " + answer);
    }

    @Test
    void choiceMade_redelivered_stepsOnceAndAnswersTheSameEvent() {
        SessionTrainer trainer = trainer();
        Session session = new Session(5);
        trainer.sessionCreated(session.created);
        RolloutsReady rollouts = session.rollouts(0);
        trainer.rolloutsReady(rollouts);
        ChoiceMade choice = session.choice(rollouts, 2);

        StepApplied first = applied(trainer.choiceMade(choice));
        StepApplied again = applied(trainer.choiceMade(choice));
        StepApplied onAnotherReplica = applied(trainer().choiceMade(choice));

        assertEquals(first, again);
        assertEquals(first, onAnotherReplica);
        assertEquals(SessionTrainer.stepAppliedId(choice.eventId()), first.eventId());
        assertEquals(1, first.policyVersion());
        assertEquals(1, store.latestVersion(session.id));
        // The next choice applies to version 1, stepped once: its version is 2, not 3.
        assertEquals(2, play(trainer, session, 1, null).policyVersion());
    }

    @Test
    void sessionNamingItsModelByHubId_trainsOnTheCachedSnapshot_andItsAdapterNamesTheId() throws IOException {
        String commit = "0123456789abcdef0123456789abcdef01234567";
        Path cache = work.resolve("hf-cache");
        Path repo = cache.resolve("models--org--tiny-llama");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), commit);
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(commit));
        try (Stream<Path> files = Files.list(TrainerFixture.MODEL)) {
            for (Path f : files.toList()) {
                Files.copy(f, snapshot.resolve(f.getFileName()));
            }
        }
        ModelLocator offlineCache = new HubModelLocator(HubClient.builder().cacheDir(cache).offline(true).build(),
                DownloadListener.NONE).remembering();
        SessionTrainer trainer = new SessionTrainer(store, offlineCache, work, Clock.systemUTC(),
                SessionTrainer.Faults.NONE, 0);
        trainers.add(trainer);
        Session session = new Session(5, "org/tiny-llama");
        trainer.sessionCreated(session.created);

        StepApplied step = play(trainer, session, 0, 1);

        assertEquals(1, step.policyVersion());
        assertEquals(step.adapter().sha256(), trainer.verifyReplay(session.id, 1).sha256());
        Path adapter = StateArchive.unzip(store.adapter(session.id, 1).orElseThrow().zip(), work.resolve("adapter"));
        assertEquals("org/tiny-llama", new ObjectMapper().readTree(adapter.resolve("adapter_config.json").toFile())
                .path("base_model_name_or_path").asText(), "PEFT loads the adapter's base from the hub by this id");
    }

    @Test
    void choiceMade_whoseStepFailsBeforeJournalCommit_isAnsweredStepFailed_andRedeliveredIsSteppedOnce() {
        Session session = new Session(5);
        SessionTrainer failing = trainer(() -> {
            throw new IllegalStateException("the engine gave up mid-step");
        });
        failing.sessionCreated(session.created);
        RolloutsReady rollouts = session.rollouts(0);
        failing.rolloutsReady(rollouts);
        ChoiceMade choice = session.choice(rollouts, 1);

        StepFailed failed = assertInstanceOf(StepFailed.class, failing.choiceMade(choice));
        assertEquals(Failure.Kind.ERROR, failed.failure().kind());
        assertTrue(failed.failure().reason().contains("gave up mid-step"), failed.failure().reason());
        assertEquals(choice.eventId(), failed.choiceMadeId());
        assertEquals(SessionTrainer.stepFailedId(choice.eventId()), failed.eventId());
        assertEquals(0, store.latestVersion(session.id), "nothing of the failed step was journaled");

        SessionTrainer restarted = trainer();
        StepApplied applied = applied(restarted.choiceMade(choice));
        assertEquals(SessionTrainer.stepAppliedId(choice.eventId()), applied.eventId());
        assertEquals(1, applied.policyVersion());
        assertEquals(applied, restarted.choiceMade(choice));
        assertEquals(applied.adapter().sha256(), restarted.verifyReplay(session.id, 1).sha256());
    }

    @Test
    void aStepThatEndedTheProcessTwice_isNotStartedAgainByItself_butARetryStepsIt() {
        SessionTrainer trainer = trainer();
        Session session = new Session(5);
        trainer.sessionCreated(session.created);
        RolloutsReady rollouts = session.rollouts(0);
        trainer.rolloutsReady(rollouts);
        ChoiceMade choice = session.choice(rollouts, 2);
        store.beginStep(choice); // two processes started this step and were killed during it
        store.beginStep(choice);

        StepFailed interrupted = assertInstanceOf(StepFailed.class, trainer.choiceMade(choice));
        assertEquals(Failure.Kind.INTERRUPTED, interrupted.failure().kind());
        assertEquals(0, store.latestVersion(session.id));
        assertInstanceOf(StepFailed.class, trainer.choiceMade(choice), "redelivered, still not started");

        var retry = new SessionEvent.StepRetried(UUID.randomUUID(), session.id, Instant.now(), null, choice.eventId(),
                Actor.LOCAL);
        StepApplied applied = applied(trainer.stepRetried(retry));
        assertEquals(1, applied.policyVersion());
        assertEquals(SessionTrainer.stepAppliedId(choice.eventId()), applied.eventId(), "the same step as without "
                + "the failure");
        assertEquals(applied, trainer.stepRetried(retry));
        assertTrue(store.startedChoice(choice.eventId()).isEmpty(), "a journaled step leaves no attempts behind");
    }

    @Test
    void headMoved_rebuildsEveryNodeFromCheckpointPlusReplay_bitForBit() {
        SessionTrainer trainer = trainer();
        Session session = new Session(2);
        trainer.sessionCreated(session.created);
        List<StepApplied> steps = new ArrayList<>();
        Integer[] picks = {0, null, 3, 1, 2};
        for (int i = 0; i < picks.length; i++) {
            steps.add(play(trainer, session, i, picks[i]));
        }
        assertTrue(steps.get(1).fullCheckpoint() && steps.get(3).fullCheckpoint() && !steps.get(4).fullCheckpoint());

        // Undo from version 5 to version 3: checkpoint 2 plus one replayed step.
        HeadMoved undo = session.move(steps.get(4).nodeId(), steps.get(2).nodeId(), HeadMoved.Reason.UNDO);
        PolicyRestored restored = trainer.headMoved(undo);
        assertEquals(3, restored.policyVersion());
        assertEquals(2L, restored.fromCheckpointVersion());
        assertEquals(1, restored.stepsReplayed());
        PolicyRestored again = trainer.headMoved(undo);
        assertEquals(restored.eventId(), again.eventId(), "a redelivered HeadMoved gives the same event");
        assertEquals(3, again.policyVersion());
        assertEquals(0, again.stepsReplayed(), "the live state is already version 3");

        for (StepApplied step : steps) {
            Rebuilt rebuilt = trainer().verifyReplay(session.id, step.policyVersion());
            assertEquals(step.adapter().sha256(), rebuilt.sha256(), "version " + step.policyVersion());
        }
        Rebuilt root = trainer.verifyReplay(session.id, 0);
        assertEquals(0, root.stepsReplayed());
        assertEquals(null, root.fromCheckpointVersion());
    }

    @Test
    void choiceMade_afterHeadMoved_branchesFromTheRestoredNode() {
        SessionTrainer trainer = trainer();
        Session session = new Session(3);
        trainer.sessionCreated(session.created);
        StepApplied v1 = play(trainer, session, 0, 0);
        StepApplied v2 = play(trainer, session, 1, 1);
        StepApplied v3 = play(trainer, session, 2, 2);

        trainer.headMoved(session.move(v3.nodeId(), v1.nodeId(), HeadMoved.Reason.CHECKOUT));
        StepApplied branch = play(trainer, session, 1, 1);

        assertEquals(4, branch.policyVersion(), "versions are unique per session, branches included");
        assertNotEquals(v2.adapter().sha256(), branch.adapter().sha256(), "other rollouts, other step");
        assertTrue(v3.fullCheckpoint());
        // Version 4 sits on version 1 (no checkpoint) with version 3 (a checkpoint) on the abandoned branch:
        // its replay must come from the seed, not from the other branch.
        Rebuilt rebuilt = trainer().verifyReplay(session.id, 4);
        assertEquals(branch.adapter().sha256(), rebuilt.sha256());
        assertEquals(null, rebuilt.fromCheckpointVersion());
        assertEquals(2, rebuilt.stepsReplayed());
        // A restarted trainer continues the branch where HEAD is.
        assertEquals(5, play(trainer(), session, 4, null).policyVersion());
    }

    @Test
    void undoRedoAndCheckout_toStatesHeadLeft_replayNothing_andTheirStepsEqualAReplaysBitForBit() {
        SessionTrainer trainer = trainer(() -> { }, 4);
        Session session = new Session(5);
        trainer.sessionCreated(session.created);
        StepApplied v1 = play(trainer, session, 0, 0);
        StepApplied v2 = play(trainer, session, 1, 1);
        StepApplied v3 = play(trainer, session, 2, 2);

        PolicyRestored undo = trainer.headMoved(session.move(v3.nodeId(), v2.nodeId(), HeadMoved.Reason.UNDO));
        assertEquals(List.of(2L, 0, 2L), List.of(undo.policyVersion(), undo.stepsReplayed(),
                undo.fromCheckpointVersion()), "version 2 was kept when the step to 3 was taken");
        StepApplied sibling = play(trainer, session, 2, 3);
        PolicyRestored back = trainer.headMoved(session.move(sibling.nodeId(), v3.nodeId(), HeadMoved.Reason.CHECKOUT));
        assertEquals(0, back.stepsReplayed(), "version 3 was kept when HEAD left it");
        StepApplied onV3 = play(trainer, session, 3, null);
        trainer.headMoved(session.move(onV3.nodeId(), v1.nodeId(), HeadMoved.Reason.CHECKOUT));
        StepApplied onV1 = play(trainer, session, 1, 2);

        SessionTrainer replaying = trainer();
        for (StepApplied step : List.of(v1, v2, v3, sibling, onV3, onV1)) {
            Rebuilt rebuilt = replaying.verifyReplay(session.id, step.policyVersion());
            assertEquals(step.adapter().sha256(), rebuilt.sha256(), "version " + step.policyVersion());
        }
    }

    @Test
    void aStateEvictedFromTheShelf_isRebuiltByReplay() {
        SessionTrainer trainer = trainer(() -> { }, 1);
        Session session = new Session(5);
        trainer.sessionCreated(session.created);
        StepApplied v1 = play(trainer, session, 0, 0);
        play(trainer, session, 1, 1);
        StepApplied v3 = play(trainer, session, 2, 2);

        PolicyRestored restored = trainer.headMoved(session.move(v3.nodeId(), v1.nodeId(), HeadMoved.Reason.CHECKOUT));

        assertEquals(1, restored.stepsReplayed(), "only version 2 was kept: version 1 is replayed from the seed");
        assertEquals(null, restored.fromCheckpointVersion());
    }
}
