package dev.espalier.ui.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.WaitForSelectorState;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The game in a real browser against the real session-service, Kafka and PostgreSQL, with the rollout and trainer
 * services played by {@link StandInWorkers} on their real topics, so what the model "writes" is known exactly:
 * setup validation, streaming, and model output shown as text. {@link FullLoopInBrowserTest} plays the real loop.
 */
@QuarkusTest
@WithTestResource(StandInStack.class)
class GameInBrowserTest {

    private static Browser browser;

    @TestHTTPResource("/")
    URL ui;

    @BeforeAll
    static void start() {
        browser = new Browser();
    }

    @AfterAll
    static void stop() {
        browser.close();
    }

    @Test
    void setup_showsDefaults_andMarksInvalidSettings_withoutCreatingASession() throws Exception {
        Page page = browser.newPage();
        page.navigate(ui.toString());
        assertThat(page.locator("#field-model input")).hasValue("tiny-model");
        assertThat(page.locator("#field-model")).containsText("the model this deployment serves");
        assertThat(page.locator("#field-sampling-temperature input")).hasValue("1.2");
        assertThat(page.locator("#field-groupSize input")).hasValue("4");
        assertThat(page.locator("#field-learningRate input")).hasValue("2.0E-5");
        assertThat(page.locator("#field-sampling-temperature")).containsText("default 1.2");
        int sessionsBefore = sessionCount();

        page.locator("#field-model input").fill("tiny-model");
        page.locator("#field-prompts-typed textarea").fill("Say something kind.");
        page.locator("#field-sampling-temperature input").fill("-1");
        page.locator("#start-session").click();
        assertThat(page.locator("#field-sampling-temperature")).hasAttribute("invalid", "");
        assertThat(page.locator("#field-sampling-temperature")).containsText("must be >= 0 (0 = greedy), was -1.0");
        page.locator("#field-sampling-temperature input").fill("1.2");
        page.locator("#field-groupSize input").fill("40");
        page.locator("#start-session").click();
        assertThat(page.locator("#field-groupSize")).containsText("must be between 2 and 16, was 40");
        Browser.screenshot(page, "stand-in-1-setup-invalid");

        assertEquals(sessionsBefore, sessionCount(), "an invalid setup must not create a session");
        page.context().close();
    }

    @Test
    void failedRolloutsAndAFailedStep_areShownWithTheirReason_andRetryCarriesOn() {
        Page page = browser.newPage();
        page.navigate(ui.toString());
        page.locator("#field-model input").fill("tiny-model");
        page.locator("#field-prompts-typed textarea").fill("Name a colour " + StandInWorkers.FAIL_ONCE + "\nNext.");
        page.locator("#start-session").click();
        page.waitForURL(Pattern.compile(".*/play/.*"));

        assertThat(page.locator("#failure")).isVisible();
        assertThat(page.locator("#failure-text")).containsText("could not write the answers (error): the engine "
                + "broke (stand-in)");
        assertThat(page.locator("#stat-phase")).hasText("rollouts failed");
        assertThat(page.locator("#skip")).isEnabled();
        assertThat(page.locator("#undo")).isDisabled();
        Browser.screenshot(page, "stand-in-9-rollouts-failed");
        page.locator("#retry").click();
        assertThat(page.locator("#failure")).isHidden();
        assertThat(page.locator("#cards .card.choosable")).hasCount(4);

        page.keyboard().press("1");
        assertThat(page.locator("#failure-text")).containsText("training step for your pick failed (out of memory): "
                + "CUDA out of memory (stand-in)");
        assertThat(page.locator("#undo")).isEnabled();
        assertThat(page.locator("#step-log")).containsText("training step failed (out of memory)");
        Browser.screenshot(page, "stand-in-10-step-failed");
        page.locator("#retry").click();
        assertThat(page.locator("#stat-step")).hasText("1");
        assertThat(page.locator("#prompt-text")).hasText("Next.");
        assertThat(page.locator("#failure")).isHidden();
        page.context().close();
    }

    @Test
    void play_streamsAnswers_picksByKey_undoesRedoes_andReviewsAndExports() throws Exception {
        Page page = browser.newPage();
        page.navigate(ui.toString());
        page.locator("#field-model input").fill("tiny-model");
        page.locator("#field-prompts-typed textarea").fill("Write a haiku about pears.\nName three rivers.");
        page.locator("#field-sampling-seed input").fill("7");
        page.locator("#field-controlPrompt textarea").fill("Who are you?");
        Browser.screenshot(page, "stand-in-2-setup");
        page.locator("#start-session").click();
        page.waitForURL(Pattern.compile(".*/play/.*"));

        // The answers stream in: cards show partial text before the rollouts are complete.
        page.locator("#cards .card.streaming").first().waitFor();
        Browser.screenshot(page, "stand-in-3-play-streaming");
        Locator cards = page.locator("#cards .card");
        assertThat(cards).hasCount(4);
        assertEquals("2px", page.evaluate("() => getComputedStyle(document.querySelector('#card-0')).borderTopWidth"),
                "the app's style sheet is served and applied");
        assertThat(page.locator("#cards .card.choosable")).hasCount(4);
        assertThat(page.locator("#card-1")).containsText("Answer 2: a plain reply to \"Write a haiku about pears.\"");
        assertThat(page.locator("#control-now")).hasText(StandInWorkers.CONTROL_PREFIX + "0");
        assertThat(page.locator("#control-start")).hasText(StandInWorkers.CONTROL_PREFIX + "0");

        // Model output is text: the markup shows literally, no element is created, the script never runs.
        assertThat(page.locator("#card-0 .card-text")).containsText(StandInWorkers.HOSTILE);
        assertEquals(0, page.locator("#cards b, #cards script").count());
        assertEquals(Boolean.TRUE, page.evaluate("() => window.__pwned === undefined"));
        Browser.screenshot(page, "stand-in-4-play-choice");

        page.keyboard().press("2");
        assertThat(page.locator("#step-log")).containsText("chose answer 2");
        assertThat(page.locator("#step-log")).containsText("step applied → policy v1");
        assertThat(page.locator("#stat-step")).hasText("1");
        assertThat(page.locator("#stat-loss")).hasText("0.90000");
        assertThat(page.locator("#prompt-text")).hasText("Name three rivers.");
        assertThat(page.locator("#cards .card.choosable")).hasCount(4);
        Browser.screenshot(page, "stand-in-5-play-step-applied");

        // Undo: the pick's prompt again, with the very answers shown, HEAD's stats and HEAD's control answer; the
        // stand-in trainer takes 2.5 s to restore the policy, and the page says so.
        page.locator("#undo").click();
        assertThat(page.locator("#prompt-text")).hasText("Write a haiku about pears.");
        assertThat(page.locator("#card-1")).containsText("Answer 2: a plain reply to \"Write a haiku about pears.\"");
        assertThat(page.locator("#cards .card.choosable")).hasCount(4);
        assertThat(page.locator("#stat-step")).hasText("0");
        assertThat(page.locator("#stat-loss")).hasText("–");
        assertThat(page.locator("#control-now")).hasText(StandInWorkers.CONTROL_PREFIX + "0");
        assertThat(page.locator("#redo")).isEnabled();
        assertThat(page.locator("#step-log")).containsText("HEAD moved (undo)");
        assertThat(page.locator("#step-log")).containsText("prompt reopened");
        assertThat(page.locator("#policy-rebuild")).containsText("restoring this node's policy");

        // Another pick on the same prompt, before the restore is done: it waits for it, then makes a sibling, and
        // the next prompt is the one the undo took back, not used up.
        page.keyboard().press("3");
        assertThat(page.locator("#stat-phase")).hasText("step waits for the policy rebuild…");
        Browser.screenshot(page, "stand-in-5b-play-pick-waits-for-rebuild");
        assertThat(page.locator("#stat-step")).hasText("2", new LocatorAssertions.HasTextOptions().setTimeout(20_000));
        assertThat(page.locator("#stat-loss")).hasText("0.45000");
        assertThat(page.locator("#prompt-text")).hasText("Name three rivers.");
        assertThat(page.locator("#cards .card.choosable")).hasCount(4);
        assertThat(page.locator("#policy-rebuild")).isHidden();

        // Undo and redo: back to v2 with the answers its next prompt got.
        page.locator("#undo").click();
        assertThat(page.locator("#stat-step")).hasText("0");
        page.locator("#redo").click();
        assertThat(page.locator("#stat-step")).hasText("2");
        assertThat(page.locator("#stat-loss")).hasText("0.45000");
        assertThat(page.locator("#prompt-text")).hasText("Name three rivers.");
        assertThat(page.locator("#cards .card.choosable")).hasCount(4);
        assertThat(page.locator("#control-now")).hasText(StandInWorkers.CONTROL_PREFIX + "2");
        assertThat(page.locator("#step-log")).containsText("HEAD moved (redo)");
        page.keyboard().press("1");
        // Behind the stand-in trainer's two restores (undo, redo) of 2.5 s each.
        assertThat(page.locator("#stat-step")).hasText("3", new LocatorAssertions.HasTextOptions().setTimeout(20_000));

        // Both typed prompts are played on this path; an edit plays a prompt of one's own. Keys work right after
        // the redo button disabled itself; letters and digits that are also shortcuts reach the editor and do
        // nothing.
        assertThat(page.locator("#stat-phase")).hasText("out of prompts");
        page.keyboard().press("e");
        page.locator("#prompt-editor textarea").fill("");
        page.locator("#prompt-editor textarea").pressSequentially("Name 2 seas, under 5 words.");
        assertThat(page.locator("#prompt-editor textarea")).hasValue("Name 2 seas, under 5 words.");
        assertThat(page.locator("#stat-step")).hasText("3");
        page.locator("#save-edit").click();
        assertThat(page.locator("#prompt-text")).hasText("Name 2 seas, under 5 words.");
        assertThat(page.locator("#cards .card.choosable")).hasCount(4);
        page.keyboard().press("0");
        assertThat(page.locator("#step-log")).containsText("chose none of them");
        assertThat(page.locator("#stat-step")).hasText("4");

        page.locator("#open-review").click();
        page.waitForURL(Pattern.compile(".*/review/.*"));
        assertThat(page.locator("#timeline")).containsText("Write a haiku about pears.");
        assertThat(page.locator("#timeline")).containsText("v1");
        assertThat(page.locator("#timeline")).containsText("Name 2 seas, under 5 words.");
        assertThat(page.locator("#review-view")).containsText("Timeline (branched)");
        for (String chart : List.of("#chart-loss", "#chart-kl", "#chart-drift", "#chart-grad-norm")) {
            page.locator(chart).waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE));
            assertTrue((Boolean) page.evaluate("c => document.querySelector(c).naturalWidth > 0", chart),
                    chart + " must load as an image");
        }
        assertThat(page.locator("#timeline")).containsText("(2 picks on this prompt)");
        assertThat(page.locator("#review-view")).containsText("other branches faded");
        assertThat(page.locator("#control-history")).containsText(StandInWorkers.CONTROL_PREFIX + "1");
        assertThat(page.locator("#control-history vaadin-grid-cell-content")
                .filter(new Locator.FilterOptions().setHasText(StandInWorkers.CONTROL_PREFIX + "0"))).hasCount(1);
        Browser.screenshot(page, "stand-in-6-review");

        Download download = page.waitForDownload(() -> page.locator("#download-audit").click());
        String audit = Files.readString(download.path());
        Files.writeString(Browser.SCREENSHOTS.resolve("stand-in-audit.ndjson"), audit);
        List<String> types = audit.lines().map(l -> l.replaceAll(".*?\"type\":\"([^\"]+)\".*", "$1")).toList();
        assertTrue(types.stream().anyMatch(t -> t.startsWith("choice-made")), "audit has the choice: " + types);
        assertTrue(types.stream().anyMatch(t -> t.startsWith("step-applied")), "audit has the step: " + types);
        assertTrue(types.stream().filter(t -> t.startsWith("head-moved")).count() >= 2, "undo and redo: " + types);

        // Any played node can be checked out from the review: back to the start, where the first prompt was open
        // with its answers.
        page.locator("#timeline vaadin-button:has-text('Check out')").first().click();
        page.waitForURL(Pattern.compile(".*/play/.*"));
        assertThat(page.locator("#stat-step")).hasText("0");
        assertThat(page.locator("#prompt-text")).hasText("Write a haiku about pears.");
        assertThat(page.locator("#cards .card.choosable")).hasCount(4);
        assertThat(page.locator("#step-log")).containsText("HEAD moved (checkout)");
        assertThat(page.locator("#step-log")).containsText("policy v0 restored");
        Browser.screenshot(page, "stand-in-7-play-checked-out");
        page.context().close();
    }

    private static int sessionCount() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(StandInStack.sessionServiceUrl() + "/sessions")).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body().split("\"sessionId\"", -1).length - 1;
    }
}
