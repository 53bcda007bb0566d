package dev.espalier.session.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.Actor;
import dev.espalier.events.ChatMessage;
import dev.espalier.events.Failure;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.HeadMoved;
import dev.espalier.events.SessionEvent.PolicyRestored;
import dev.espalier.events.SessionEvent.PromptEdited;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.PromptReopened;
import dev.espalier.events.SessionEvent.PromptSkipped;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.SessionCreated;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.session.domain.SessionCommand.Checkout;
import dev.espalier.session.domain.SessionCommand.CreateSession;
import dev.espalier.session.domain.SessionCommand.EditPrompt;
import dev.espalier.session.domain.SessionCommand.MakeChoice;
import dev.espalier.session.domain.SessionCommand.Redo;
import dev.espalier.session.domain.SessionCommand.SkipPrompt;
import dev.espalier.session.domain.SessionCommand.Undo;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Given events, when a command (or another service's event), then events: no database, no Kafka. */
class SessionDeciderTest {

    private static final Instant NOW = Instant.parse("2026-11-21T06:00:00Z");
    private static final UUID SESSION = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    private static final List<String> PROMPTS = List.of("first", "second", "third");

    private final AtomicLong nextId = new AtomicLong(1);
    private final SessionDecider decider = new SessionDecider(Clock.fixed(NOW, ZoneOffset.UTC),
            () -> new UUID(0, nextId.getAndIncrement()));
    private final PromptSequence prompts = i -> i < PROMPTS.size() ? Optional.of(PROMPTS.get(i)) : Optional.empty();
    private final List<SessionEvent> history = new ArrayList<>();

    static SessionConfig config() {
        return new SessionConfig("tiny-model",
                new SessionConfig.PromptSourceSpec(SessionConfig.PromptSourceSpec.Kind.TYPED, null, null, null,
                        PROMPTS, 1),
                new SessionConfig.PromptFormat(SessionConfig.PromptFormat.Mode.CHAT, "Be kind.", null, null), 4,
                new SessionConfig.Sampling(1.2, 0.1, 1.0, 256, 7),
                new SessionConfig.Lora(16, 16, SessionConfig.Lora.DEFAULT_TARGETS), SessionConfig.Objective.GRPO,
                2e-5, 0.03, 0, 1, 0.1, 5, "control?");
    }

    @Test
    void create_recordsConfig_andIssuesFirstPromptUnderTheRoot() {
        List<SessionEvent> events = when(new CreateSession(config()));

        var created = assertInstanceOf(SessionCreated.class, events.get(0));
        var prompt = assertInstanceOf(PromptIssued.class, events.get(1));
        assertEquals(config(), created.config());
        assertEquals(created.rootNodeId(), prompt.parentNodeId());
        assertEquals(0, prompt.parentPolicyVersion());
        assertEquals(0, prompt.promptIndex());
        assertEquals(List.of(ChatMessage.system("Be kind."), ChatMessage.user("first")), prompt.messages());
        assertEquals(created.eventId(), prompt.causationId());
        assertEquals(NOW, prompt.occurredAt());
        assertEquals("control?", prompt.controlPrompt());
    }

    @Test
    void choose_isRejected_whenRolloutsNotReady() {
        given(new CreateSession(config()));
        assertThrows(SessionRejection.Conflict.class, () -> when(new MakeChoice(null, 0, null)));
    }

    @Test
    void choose_recordsThePick_forTheRolloutsOfTheOpenPrompt() {
        given(new CreateSession(config()));
        RolloutsReady ready = givenRollouts(0);

        var choice = assertInstanceOf(ChoiceMade.class, when(new MakeChoice(2L + 1, 3, "best")).getFirst());

        assertEquals(ready.eventId(), choice.rolloutsReadyId());
        assertEquals(3, choice.chosenIndex());
        assertEquals(0, choice.policyVersion());
        assertEquals(lastPrompt().nodeId(), choice.nodeId());
        assertEquals("best", choice.comment());
    }

    @Test
    void choose_none_isRecordedAsNoIndex() {
        given(new CreateSession(config()));
        givenRollouts(0);
        var choice = assertInstanceOf(ChoiceMade.class, when(new MakeChoice(null, null, null)).getFirst());
        assertTrue(choice.isNone());
    }

    @Test
    void choose_namingRolloutsThatAreNoLongerOpen_isRejected_andNamingTheOpenOnesIsAccepted() {
        given(new CreateSession(config()));
        RolloutsReady shown = givenRollouts(0);
        playRollouts(0, 1);
        RolloutsReady next = givenRollouts(1);
        given(new Undo(null));

        var e = assertThrows(SessionRejection.Conflict.class, () -> when(new MakeChoice(null, 1, null, next.eventId())));
        assertTrue(e.getMessage().contains("no longer open"), e.getMessage());
        assertInstanceOf(ChoiceMade.class, when(new MakeChoice(null, 1, null, shown.eventId())).getFirst());
    }

    @Test
    void choose_isRejected_whenIndexOutOfRange() {
        given(new CreateSession(config()));
        givenRollouts(0);
        var e = assertThrows(SessionRejection.InvalidArgument.class, () -> when(new MakeChoice(null, 4, null)));
        assertEquals("choice", e.argument());
        assertThrows(SessionRejection.InvalidArgument.class, () -> when(new MakeChoice(null, -1, null)));
    }

    @Test
    void choose_isRejected_whenRolloutsWereWrittenWithAnotherPolicyVersion() {
        given(new CreateSession(config()));
        givenRollouts(7);
        assertThrows(SessionRejection.Conflict.class, () -> when(new MakeChoice(null, 0, null)));
    }

    @Test
    void command_isRejected_whenExpectedVersionIsStale() {
        given(new CreateSession(config()));
        givenRollouts(0);
        assertThrows(SessionRejection.VersionConflict.class, () -> when(new MakeChoice(2L, 0, null)));
    }

    @Test
    void rolloutsForAnEarlierPrompt_areFoldedWithoutEffect() {
        given(new CreateSession(config()));
        PromptIssued first = lastPrompt();
        given(new SkipPrompt(null));
        history.add(rollouts(first, 0));
        assertEquals(SessionPhase.AWAITING_ROLLOUTS, state().phase());
    }

    @Test
    void stepApplied_completesTheNode_andIssuesTheNextPromptUnderIt() {
        given(new CreateSession(config()));
        givenRollouts(0);
        given(new MakeChoice(null, 1, null));

        List<SessionEvent> reaction = whenApplied(step(lastChoice(), 1));

        var next = assertInstanceOf(PromptIssued.class, reaction.getFirst());
        assertEquals(lastChoice().nodeId(), next.parentNodeId());
        assertEquals(1, next.parentPolicyVersion());
        assertEquals("second", next.userText());
        assertEquals(1, next.promptIndex());
    }

    @Test
    void stepApplied_twiceForTheSameChoice_reactsOnce() {
        given(new CreateSession(config()));
        givenRollouts(0);
        given(new MakeChoice(null, 1, null));
        StepApplied step = step(lastChoice(), 1);
        history.addAll(whenApplied(step));

        assertEquals(List.of(), whenApplied(new StepApplied(UUID.randomUUID(), SESSION, NOW, null,
                step.choiceMadeId(), step.nodeId(), 1, step.metrics(), step.adapter(), false, 1)));
    }

    @Test
    void skip_playsTheNextPromptAtTheSameNode() {
        given(new CreateSession(config()));
        PromptIssued first = lastPrompt();

        List<SessionEvent> events = when(new SkipPrompt(null));

        assertInstanceOf(PromptSkipped.class, events.get(0));
        var next = assertInstanceOf(PromptIssued.class, events.get(1));
        assertEquals(first.nodeId(), next.nodeId());
        assertEquals("second", next.userText());
    }

    @Test
    void edit_replacesTheTextAtTheSameNode_andKeepsThePromptOrder() {
        given(new CreateSession(config()));
        PromptIssued first = lastPrompt();

        List<SessionEvent> events = when(new EditPrompt(null, "my own words"));

        assertInstanceOf(PromptEdited.class, events.get(0));
        var edited = assertInstanceOf(PromptIssued.class, events.get(1));
        assertEquals(first.nodeId(), edited.nodeId());
        assertEquals("my own words", edited.userText());
        assertEquals(-1, edited.promptIndex());
        history.addAll(events);
        assertEquals(1, state().nextPromptIndex());
    }

    @Test
    void edit_isRejected_whenTooLong_withPromptTooLarge() {
        given(new CreateSession(config()));
        assertThrows(SessionConfig.PromptTooLargeException.class,
                () -> when(new EditPrompt(null, "x".repeat(SessionConfig.MAX_PROMPT_CHARS + 1))));
    }

    @Test
    void undo_isRejected_atTheRoot_andWhileAStepIsInFlight() {
        given(new CreateSession(config()));
        assertThrows(SessionRejection.Conflict.class, () -> when(new Undo(null)));
        givenRollouts(0);
        given(new MakeChoice(null, 0, null));
        assertThrows(SessionRejection.Conflict.class, () -> when(new Undo(null)));
    }

    @Test
    void undo_reopensThePickedPrompt_withTheRolloutsItWasPickedFrom_andADifferentPickIsASibling() {
        given(new CreateSession(config()));
        PromptIssued first = lastPrompt();
        RolloutsReady shown = givenRollouts(0);
        UUID firstNode = playRollouts(0, 1);
        UUID root = state().rootNodeId();

        List<SessionEvent> events = when(new Undo(null));

        var moved = assertInstanceOf(HeadMoved.class, events.get(0));
        assertEquals(new HeadMoved(moved.eventId(), SESSION, NOW, null, firstNode, root, HeadMoved.Reason.UNDO,
                Actor.LOCAL), moved);
        var reopened = assertInstanceOf(PromptReopened.class, events.get(1));
        assertEquals(first.eventId(), reopened.promptIssuedId());
        assertEquals(shown.eventId(), reopened.rolloutsReadyId());
        assertEquals(root, reopened.parentNodeId());
        assertEquals(moved.eventId(), reopened.causationId());
        assertEquals(2, events.size());
        history.addAll(events);
        assertEquals(SessionPhase.AWAITING_CHOICE, state().phase());
        assertEquals(first, state().currentPrompt());
        assertEquals(shown, state().currentRollouts());

        given(new MakeChoice(null, 2, null));
        assertEquals(reopened.nodeId(), lastChoice().nodeId());
        assertEquals(shown.eventId(), lastChoice().rolloutsReadyId());
        var next = assertInstanceOf(PromptIssued.class, whenApplied(step(lastChoice(), 2)).getFirst());
        UUID sibling = lastChoice().nodeId();
        assertEquals(root, state().nodes().get(sibling).parent());
        assertEquals(root, state().nodes().get(firstNode).parent());
        assertEquals("second", next.userText());
        assertEquals(sibling, next.parentNodeId());
    }

    @Test
    void undo_neverUsesUpAPrompt_threePromptsLastThreePicks() {
        given(new CreateSession(config()));
        for (int pick = 1; pick <= 3; pick++) {
            playOpenPrompt(2L * pick - 1);
            given(new Undo(null));
            assertEquals(SessionPhase.AWAITING_CHOICE, state().phase());
            playRollouts(1, 2L * pick);
        }
        assertEquals(SessionPhase.OUT_OF_PROMPTS, state().phase());
        assertEquals(List.of("first", "second", "third"), pathPrompts());
    }

    @Test
    void undo_ofAPickOnAnEditedPrompt_keepsThePromptItReplacedUsedUp() {
        given(new CreateSession(config()));
        given(new EditPrompt(null, "my own words"));
        playOpenPrompt(1);
        given(new Undo(null));
        assertEquals("my own words", state().currentPrompt().userText());

        playRollouts(2, 2);

        assertEquals("second", lastPrompt().userText(), "\"first\" was edited away on this path");
    }

    @Test
    void aSkippedLastPrompt_staysSkipped_afterUndoAndRedo() {
        playStep(1);
        playOpenPrompt(2);
        given(new SkipPrompt(null));
        assertEquals(SessionPhase.OUT_OF_PROMPTS, state().phase());
        given(new Undo(null));

        List<SessionEvent> redo = when(new Redo(null));

        assertEquals(1, redo.size(), "nothing is left to play at that node: " + redo);
    }

    @Test
    void redo_reappliesTheUndonePick_andReopensTheNextPromptWithItsStoredRollouts() {
        UUID first = playStep(1);
        PromptIssued second = lastPrompt();
        RolloutsReady secondRollouts = givenRollouts(1);
        given(new Undo(null));

        List<SessionEvent> events = when(new Redo(null));

        var redo = assertInstanceOf(HeadMoved.class, events.get(0));
        assertEquals(first, redo.toNodeId());
        assertEquals(HeadMoved.Reason.REDO, redo.reason());
        var reopened = assertInstanceOf(PromptReopened.class, events.get(1));
        assertEquals(second.eventId(), reopened.promptIssuedId());
        assertEquals(secondRollouts.eventId(), reopened.rolloutsReadyId());
        assertEquals(second.nodeId(), reopened.nodeId(), "a prompt that was never picked keeps its node");
        history.addAll(events);
        assertEquals(secondRollouts, state().currentRollouts());
        assertEquals(2, state().nextPromptIndex());
    }

    @Test
    void redo_whenTheNextPromptsRolloutsNeverCame_issuesTheSamePromptAgain() {
        playStep(1);
        PromptIssued second = lastPrompt();
        given(new Undo(null));

        var again = assertInstanceOf(PromptIssued.class, when(new Redo(null)).get(1));

        assertEquals(second.messages(), again.messages());
        assertEquals(second.promptIndex(), again.promptIndex());
        assertEquals(second.nodeId(), again.nodeId());
        assertEquals(1, again.parentPolicyVersion());
    }

    @Test
    void rolloutsThatCameAfterHeadLeft_areReopenedWhenTheNodeIsCheckedOut() {
        UUID first = playStep(1);
        PromptIssued second = lastPrompt();
        given(new Undo(null));
        RolloutsReady late = rollouts(second, 1);
        history.add(late);
        assertEquals(SessionPhase.AWAITING_CHOICE, state().phase(), "the reopened first prompt stays open");

        var reopened = assertInstanceOf(PromptReopened.class, when(new Checkout(null, first)).get(1));

        assertEquals(late.eventId(), reopened.rolloutsReadyId());
    }

    @Test
    void redo_isRejected_whenNothingWasUndone() {
        playStep(1);
        assertThrows(SessionRejection.Conflict.class, () -> when(new Redo(null)));
    }

    @Test
    void checkout_ofAPlayedNode_reopensWhatWasOpenThere_andRejectsUnknownAndNeverPlayedNodes() {
        UUID first = playStep(1);
        PromptIssued second = lastPrompt();
        RolloutsReady secondRollouts = givenRollouts(1);
        playRollouts(0, 2);

        List<SessionEvent> events = when(new Checkout(null, first));

        var moved = assertInstanceOf(HeadMoved.class, events.get(0));
        assertEquals(first, moved.toNodeId());
        assertEquals(HeadMoved.Reason.CHECKOUT, moved.reason());
        var reopened = assertInstanceOf(PromptReopened.class, events.get(1));
        assertEquals(second.eventId(), reopened.promptIssuedId());
        assertEquals(secondRollouts.eventId(), reopened.rolloutsReadyId());
        assertTrue(!reopened.nodeId().equals(second.nodeId()), "second was picked: a new pick is a sibling");

        assertThrows(SessionRejection.NotFound.class, () -> when(new Checkout(null, UUID.randomUUID())));
        UUID neverPlayed = lastPrompt().nodeId();
        var e = assertThrows(SessionRejection.Conflict.class, () -> when(new Checkout(null, neverPlayed)));
        assertTrue(e.getMessage().contains("never played"), e.getMessage());
    }

    @Test
    void checkout_ofANodeWithNothingLeftToPlay_waitsForThePolicy_thenIsOutOfPrompts_andAnEditStillPlays() {
        playStep(1);
        playOpenPrompt(2);
        UUID third = playOpenPrompt(3);
        given(new Undo(null));
        playRollouts(3, 4);
        assertEquals(SessionPhase.OUT_OF_PROMPTS, state().phase());

        List<SessionEvent> events = when(new Checkout(null, third));

        assertEquals(1, events.size());
        history.addAll(events);
        assertEquals(SessionPhase.AWAITING_POLICY, state().phase());
        assertEquals(List.of(), whenApplied(new PolicyRestored(UUID.randomUUID(), SESSION, NOW, events.get(0).eventId(),
                third, 3, 0, 3L)));
        assertEquals(SessionPhase.OUT_OF_PROMPTS, state().phase());
        var typed = assertInstanceOf(PromptIssued.class, when(new EditPrompt(null, "one more")).getFirst());
        assertEquals(third, typed.parentNodeId());
    }

    @Test
    void afterTheLastPrompt_theSessionIsOutOfPrompts_andAnEditPlaysATypedPrompt() {
        playStep(1);
        playOpenPrompt(2);
        playOpenPrompt(3);
        assertEquals(SessionPhase.OUT_OF_PROMPTS, state().phase());
        assertNull(state().currentPrompt());

        var typed = assertInstanceOf(PromptIssued.class, when(new EditPrompt(null, "one more")).getFirst());
        assertEquals(state().head(), typed.parentNodeId());
        assertEquals(3, typed.parentPolicyVersion());
    }

    @Test
    void commands_onAMissingSession_areNotFound() {
        assertThrows(SessionRejection.NotFound.class, () -> when(new Undo(null)));
    }

    @Test
    void failedRollouts_areShown_andRetryIssuesTheSamePromptAgainAtTheSameNode() {
        given(new CreateSession(config()));
        PromptIssued prompt = lastPrompt();
        whenApplied(rolloutsFailed(prompt, Failure.Kind.OUT_OF_MEMORY));

        assertEquals(SessionPhase.ROLLOUTS_FAILED, state().phase());
        assertEquals(Failure.Kind.OUT_OF_MEMORY, state().failure().kind());
        assertThrows(SessionRejection.Conflict.class, () -> when(new MakeChoice(null, 0, null)));

        var again = assertInstanceOf(PromptIssued.class, when(new SessionCommand.Retry(null)).getFirst());
        assertEquals(prompt.nodeId(), again.nodeId());
        assertEquals(prompt.messages(), again.messages());
        assertEquals(prompt.promptIndex(), again.promptIndex());
        history.add(again);
        assertEquals(SessionPhase.AWAITING_ROLLOUTS, state().phase());
        assertNull(state().failure());
    }

    @Test
    void failedRollouts_canBeSkipped_orEdited_orUndone() {
        given(new CreateSession(config()));
        whenApplied(rolloutsFailed(lastPrompt(), Failure.Kind.PROMPT_TOO_LONG));
        List<SessionEvent> skipped = when(new SkipPrompt(null));
        assertInstanceOf(PromptSkipped.class, skipped.get(0));
        assertEquals("second", assertInstanceOf(PromptIssued.class, skipped.get(1)).userText());

        assertInstanceOf(PromptEdited.class, when(new EditPrompt(null, "shorter")).getFirst());

        history.clear();
        playStep(1);
        whenApplied(rolloutsFailed(lastPrompt(), Failure.Kind.ERROR));
        assertInstanceOf(HeadMoved.class, when(new Undo(null)).getFirst());
    }

    @Test
    void rolloutsThatComeAfterTheyWereGivenUpOn_stillOpenThePrompt() {
        given(new CreateSession(config()));
        PromptIssued prompt = lastPrompt();
        whenApplied(decider.giveUpWaiting(state(), java.time.Duration.ofMinutes(30)).orElseThrow());
        assertEquals(Failure.Kind.TIMEOUT, state().failure().kind());
        assertTrue(state().failure().reason().contains("within 30m"), state().failure().reason());

        whenApplied(rollouts(prompt, 0));
        assertEquals(SessionPhase.AWAITING_CHOICE, state().phase());
        assertTrue(decider.giveUpWaiting(state(), java.time.Duration.ofMinutes(30)).isEmpty(),
                "nothing is awaited while the person picks");
    }

    @Test
    void failedStep_isShown_retryAsksTheTrainerAgain_andTheStepWhenItComesAppliesAsUsual() {
        given(new CreateSession(config()));
        givenRollouts(0);
        given(new MakeChoice(null, 1, null));
        ChoiceMade choice = lastChoice();
        whenApplied(stepFailed(choice, Failure.Kind.NON_FINITE));

        assertEquals(SessionPhase.STEP_FAILED, state().phase());
        assertThrows(SessionRejection.Conflict.class, () -> when(new MakeChoice(null, 0, null)));
        var retried = assertInstanceOf(SessionEvent.StepRetried.class, when(new SessionCommand.Retry(null)).getFirst());
        assertEquals(choice.eventId(), retried.choiceMadeId());
        history.add(retried);
        assertEquals(SessionPhase.AWAITING_STEP, state().phase());

        List<SessionEvent> next = whenApplied(step(choice, 1));
        assertEquals(choice.nodeId(), state().head());
        assertEquals("second", assertInstanceOf(PromptIssued.class, next.getFirst()).userText());
    }

    @Test
    void undo_ofAFailedStep_takesThePickBack_withTheSameRollouts_atANodeOfItsOwn() {
        given(new CreateSession(config()));
        RolloutsReady shown = givenRollouts(0);
        given(new MakeChoice(null, 1, null));
        ChoiceMade failed = lastChoice();
        whenApplied(stepFailed(failed, Failure.Kind.OUT_OF_MEMORY));

        var reopened = assertInstanceOf(PromptReopened.class, when(new Undo(null)).getFirst());
        history.add(reopened);
        assertEquals(SessionPhase.AWAITING_CHOICE, state().phase());
        assertEquals(shown.eventId(), state().currentRollouts().eventId());
        assertEquals(state().rootNodeId(), state().head(), "HEAD never moved: the pick was never applied");
        assertTrue(!reopened.nodeId().equals(failed.nodeId()), "a step given up on may still be journaled there");

        given(new MakeChoice(null, 2, null));
        assertEquals(reopened.nodeId(), lastChoice().nodeId());
        whenApplied(step(failed, 9));
        assertEquals(SessionPhase.AWAITING_STEP, state().phase(), "the late step of the pick taken back is ignored");
    }

    @Test
    void skip_ofAFailedStep_playsTheNextPromptAtAFreshNode() {
        given(new CreateSession(config()));
        givenRollouts(0);
        given(new MakeChoice(null, 1, null));
        whenApplied(stepFailed(lastChoice(), Failure.Kind.TIMEOUT));

        List<SessionEvent> events = when(new SkipPrompt(null));
        var next = assertInstanceOf(PromptIssued.class, events.get(1));
        assertEquals("second", next.userText());
        assertTrue(!next.nodeId().equals(lastChoice().nodeId()));
    }

    @Test
    void retry_withNothingFailed_isAConflict() {
        given(new CreateSession(config()));
        assertThrows(SessionRejection.Conflict.class, () -> when(new SessionCommand.Retry(null)));
    }

    // --- helpers: the history is the only state ---

    private UUID playStep(long newPolicyVersion) {
        given(new CreateSession(config()));
        return playOpenPrompt(newPolicyVersion);
    }

    private UUID playOpenPrompt(long newPolicyVersion) {
        givenRollouts(lastPrompt().parentPolicyVersion());
        return playRollouts(0, newPolicyVersion);
    }

    /** Picks {@code index} of the rollouts that are open and applies the step. */
    private UUID playRollouts(int index, long newPolicyVersion) {
        given(new MakeChoice(null, index, null));
        StepApplied step = step(lastChoice(), newPolicyVersion);
        history.addAll(whenApplied(step));
        return step.nodeId();
    }

    /** The user text of each prompt picked on the path from the root to HEAD. */
    private List<String> pathPrompts() {
        List<String> texts = new ArrayList<>();
        SessionState s = state();
        for (SessionState.Node n = s.headNode(); n.parent() != null; n = s.nodes().get(n.parent())) {
            texts.addFirst(n.chosenFrom().prompt().userText());
        }
        return texts;
    }

    private void given(SessionCommand command) {
        history.addAll(when(command));
    }

    private List<SessionEvent> when(SessionCommand command) {
        return decider.decide(command, state(), prompts, Actor.LOCAL);
    }

    /** Appends another service's event and returns the session's reaction (also appended). */
    private List<SessionEvent> whenApplied(SessionEvent foreign) {
        SessionState before = state();
        history.add(foreign);
        List<SessionEvent> reaction = decider.react(before, state(), foreign, prompts);
        List<SessionEvent> all = new ArrayList<>(reaction);
        history.addAll(reaction);
        return all;
    }

    private SessionState state() {
        return SessionDecider.fold(SESSION, history);
    }

    private RolloutsReady givenRollouts(long policyVersion) {
        RolloutsReady r = rollouts(lastPrompt(), policyVersion);
        history.add(r);
        return r;
    }

    private static RolloutsReady rollouts(PromptIssued prompt, long policyVersion) {
        var one = new RolloutsReady.Rollout(0, "a", List.of(1), List.of(-1.0), "eos");
        return new RolloutsReady(UUID.randomUUID(), SESSION, NOW, prompt.eventId(), prompt.eventId(), policyVersion,
                List.of(5), List.of(one, one, one, one), null, new RolloutsReady.Timings(0, 1, 4));
    }

    private static SessionEvent.RolloutsFailed rolloutsFailed(PromptIssued prompt, Failure.Kind kind) {
        return new SessionEvent.RolloutsFailed(UUID.randomUUID(), SESSION, NOW, prompt.eventId(), prompt.eventId(),
                new Failure(kind, "it broke"));
    }

    private static SessionEvent.StepFailed stepFailed(ChoiceMade choice, Failure.Kind kind) {
        return new SessionEvent.StepFailed(UUID.randomUUID(), SESSION, NOW, choice.eventId(), choice.eventId(),
                choice.nodeId(), new Failure(kind, "it broke"));
    }

    private static StepApplied step(ChoiceMade choice, long policyVersion) {
        return new StepApplied(UUID.randomUUID(), SESSION, NOW, choice.eventId(), choice.eventId(), choice.nodeId(),
                policyVersion, new StepApplied.StepMetrics(1, 1, 0, 1, List.of(), List.of()),
                new StepApplied.AdapterRef("mem:" + policyVersion, "00"), false, 1);
    }

    private PromptIssued lastPrompt() {
        return last(PromptIssued.class);
    }

    private ChoiceMade lastChoice() {
        return last(ChoiceMade.class);
    }

    private <T extends SessionEvent> T last(Class<T> type) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (type.isInstance(history.get(i))) {
                return type.cast(history.get(i));
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the history");
    }
}
