package dev.espalier.ui.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole game in a real browser: session-service, rollout-service and trainer-service as processes on the
 * in-process Kafka and PostgreSQL, a tiny Qwen3, and the UI under test. Nothing is scripted: the answers are
 * generated, the step is a real GRPO step, undo and redo replay the policy, the adapter is the trainer's.
 */
@QuarkusTest
@WithTestResource(FullLoopStack.class)
class FullLoopInBrowserTest {

    /** Generation and a step on the tiny model take seconds, but the 2 cores are shared with three services. */
    private static final LocatorAssertions.ContainsTextOptions SLOW = new LocatorAssertions.ContainsTextOptions()
            .setTimeout(120_000);

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
    void setUpPlayUndoRedoReviewExport_withTheRealServices() throws Exception {
        Page page = browser.newPage();
        page.navigate(ui.toString());
        page.locator("#field-model input").fill(FullLoopStack.model().toString());
        page.locator("#preview-model").click();
        assertThat(page.locator("#model-preview")).containsText("architecture: Qwen3ForCausalLM (qwen3)");
        assertThat(page.locator("#model-preview")).containsText("hidden 32 · layers 2");
        assertThat(page.locator("#model-preview")).containsText("chat template: yes");
        assertThat(page.locator("#model-preview")).containsText("read from: local");
        // A file's prompts are previewed by session-service, read as a session would read them.
        Path promptFile = Files.createTempFile("espalier-ui-prompts-", ".jsonl");
        Files.writeString(promptFile, """
                {"id": "1", "question": "Why is the sky blue?"}
                {"id": "2", "question": "What is a prime?"}
                """);
        page.locator("#field-prompts-kind vaadin-radio-button", new Page.LocatorOptions()
                .setHasText("local JSONL/CSV/TXT/Parquet")).click();
        page.locator("#field-prompts-location input").fill(promptFile.toString());
        page.locator("#preview-prompts").click();
        assertThat(page.locator("#prompt-preview")).containsText("2 prompt(s) in all, read from column \"question\"");
        assertThat(page.locator("#prompt-preview")).containsText("What is a prime?");
        page.locator("#field-prompts-kind vaadin-radio-button", new Page.LocatorOptions().setHasText("typed")).click();
        page.locator("#field-prompts-typed textarea").fill(String.join("\n", "Tell me about pears.",
                "Name three rivers.", "Describe a lighthouse.", "Count to five.", "What is rain?"));
        page.locator("#field-format-systemPrompt textarea").fill("Be brief.");
        page.locator("#field-sampling-maxNewTokens input").fill("16");
        page.locator("#field-sampling-seed input").fill("7");
        page.locator("#field-learningRate input").fill("0.01");
        page.locator("#field-controlPrompt textarea").fill("Say hello.");
        Browser.screenshot(page, "loop-1-setup");
        page.locator("#start-session").click();
        page.waitForURL(Pattern.compile(".*/play/.*"));

        // Text arrives piece by piece: each card's text is seen growing before the rollouts are complete.
        page.evaluate("""
                () => { window.__seen = {};
                  new MutationObserver(() => document.querySelectorAll('#cards .card').forEach(c => {
                    const t = c.querySelector('.card-text').textContent;
                    (window.__seen[c.id] = window.__seen[c.id] || new Set()).add(t.length); }))
                  .observe(document.querySelector('#cards'), {subtree: true, childList: true, characterData: true}); }
                """);
        Locator cards = page.locator("#cards .card");
        assertThat(cards).hasCount(4);
        assertThat(page.locator("#cards .card.choosable")).hasCount(4,
                new LocatorAssertions.HasCountOptions().setTimeout(120_000));
        Browser.screenshot(page, "loop-2-play-choice");
        @SuppressWarnings("unchecked")
        List<Integer> lengthsSeen = (List<Integer>) page.evaluate(
                "() => Object.values(window.__seen).map(s => s.size)");
        assertEquals(4, lengthsSeen.size(), "every card got text");
        assertTrue(lengthsSeen.stream().allMatch(n -> n >= 3),
                "each card showed its text growing (distinct lengths seen per card): " + lengthsSeen);
        for (int i = 0; i < 4; i++) {
            assertThat(page.locator("#card-" + i + " .card-footer")).containsText("tokens");
        }
        assertThat(page.locator("#control-start")).not().isEmpty();

        page.keyboard().press("3");
        assertThat(page.locator("#step-log")).containsText("chose answer 3");
        assertThat(page.locator("#step-log")).containsText("step applied → policy v1", SLOW);
        assertThat(page.locator("#stat-step")).hasText("1");
        assertThat(page.locator("#stat-loss")).not().hasText("–");
        assertThat(page.locator("#stat-grad-norm")).not().hasText("–");
        assertThat(page.locator("#cards .card.choosable")).hasCount(4,
                new LocatorAssertions.HasCountOptions().setTimeout(120_000));
        Browser.screenshot(page, "loop-3-play-step-applied");

        page.locator("#undo").click();
        assertThat(page.locator("#step-log")).containsText("policy v0 restored", SLOW);
        assertThat(page.locator("#stat-step")).hasText("0");
        assertThat(page.locator("#redo")).isEnabled();
        page.locator("#redo").click();
        assertThat(page.locator("#step-log")).containsText("policy v1 restored", SLOW);
        assertThat(page.locator("#stat-step")).hasText("1");
        assertThat(page.locator("#cards .card.choosable")).hasCount(4,
                new LocatorAssertions.HasCountOptions().setTimeout(120_000));
        Browser.screenshot(page, "loop-4-play-after-redo");

        // Ask the current model: typing digits and shortcut letters into the question plays no move.
        page.locator("#ask-question textarea").fill("");
        page.locator("#ask-question textarea").pressSequentially("Pick 3, or 0? Skip, undo, redo.");
        page.locator("#ask-button").click();
        assertThat(page.locator("#ask-about")).containsText("policy v1 · ", SLOW);
        assertThat(page.locator("#ask-answer")).not().isEmpty();
        assertThat(page.locator("#stat-step")).hasText("1");
        String logText = page.locator("#step-log").textContent();
        assertEquals(2, logText.split("chose ", -1).length, "only the choice made by key 3: " + logText);
        assertFalse(logText.contains("prompt skipped"), logText);
        Browser.screenshot(page, "loop-4b-play-ask");

        page.locator("#open-review").click();
        page.waitForURL(Pattern.compile(".*/review/.*"));
        assertThat(page.locator("#timeline")).containsText("Tell me about pears.");
        assertThat(page.locator("#control-history")).containsText("v1");
        Browser.screenshot(page, "loop-5-review");

        Download audit = page.waitForDownload(() -> page.locator("#download-audit").click());
        String log = Files.readString(audit.path());
        Files.writeString(Browser.SCREENSHOTS.resolve("loop-audit.ndjson"), log);
        assertTrue(log.contains("\"type\":\"step-applied"), "the audit log holds the step");
        Download adapter = page.waitForDownload(() -> page.locator("#download-adapter").click());
        assertEquals(Set.of("adapter_model.safetensors", "adapter_config.json"), zipEntries(adapter),
                "the adapter download is the trainer's PEFT zip");
        Download merged = page.waitForDownload(() -> page.locator("#download-merged").click());
        assertTrue(zipEntries(merged).containsAll(Set.of("model.safetensors", "config.json", "tokenizer.json")),
                "the merged download is a whole HF model dir: " + zipEntries(merged));
        page.context().close();
    }

    private static Set<String> zipEntries(Download download) throws IOException {
        Set<String> names = new HashSet<>();
        try (InputStream in = Files.newInputStream(download.path()); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
