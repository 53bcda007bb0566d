package dev.espalier.rollout.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.SessionConfig;
import dev.espalier.policy.cli.TinyChatModel;
import dev.espalier.policy.model.ModelConfig;
import dev.espalier.policy.text.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admission check on a tiny Qwen3-template model with a real tokenizer. */
class AdmissionTest {

    private static final SessionConfig.PromptFormat CHAT =
            new SessionConfig.PromptFormat(SessionConfig.PromptFormat.Mode.CHAT, "Be brief.", "", "");
    private static ModelConfig config;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void tinyModel() throws Exception {
        Path model = TinyChatModel.create(Files.createTempDirectory("espalier-admission-").resolve("model"),
                Path.of("target", "npm"), 32, 9);
        config = ModelConfig.read(model.resolve("config.json"));
        tokenizer = TextTokenizer.load(model);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void aPromptThatLeavesNoRoomForMaxNewTokens_isRefusedNamingItsField_countingTheTemplate() {
        int context = config.maxPositions();
        Admission admission = new Admission(config, tokenizer, () -> Long.MAX_VALUE);
        String shortText = "Name a colour.";
        Admission.Verdict fits = admission.check(new Admission.Request(CHAT,
                List.of(new Admission.NamedText("prompts.typed[0]", shortText)), 4, 64));
        assertEquals(List.of(), fits.refusals());
        int templated = fits.longestPromptTokens();
        assertTrue(templated > 5, "the system prompt and the chat template count: " + templated);

        Admission.Verdict tooLong = admission.check(new Admission.Request(CHAT,
                List.of(new Admission.NamedText("prompts.typed[0]", shortText),
                        new Admission.NamedText("prompts.typed[1]", shortText)), 4, context - templated + 1));
        assertEquals(2, tooLong.refusals().size());
        Admission.Refusal first = tooLong.refusals().get(0);
        assertEquals("prompts.typed[0]", first.argument());
        assertTrue(first.error().contains("is " + templated + " tokens") && first.error().contains("context of "
                + context), first.error());
        assertEquals(List.of(), admission.check(new Admission.Request(CHAT,
                List.of(new Admission.NamedText("text", shortText)), 4, context - templated)).refusals(),
                "exactly filling the context is allowed");
    }

    @Test
    void settingsTooLargeForTheEnginesMemory_areRefusedNamingMaxNewTokens() {
        Admission admission = new Admission(config, tokenizer, () -> 1L << 30);
        Admission.Verdict small = admission.check(new Admission.Request(CHAT, List.of(), 4, 16));
        assertEquals(List.of(), small.refusals());
        Admission.Verdict large = admission.check(new Admission.Request(CHAT, List.of(), 16, 1500));
        assertEquals("sampling.maxNewTokens", large.refusals().getFirst().argument());
        assertTrue(large.refusals().getFirst().error().contains("groupSize 16 x maxNewTokens 1500 needs about"),
                large.refusals().getFirst().error());
        assertTrue(large.memoryNeededBytes() > large.memoryAvailableBytes());
    }
}
