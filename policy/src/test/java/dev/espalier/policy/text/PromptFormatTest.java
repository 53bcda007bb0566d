package dev.espalier.policy.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptFormatTest {

    @Test
    void chat_withSystem_rendersLikeApplyChatTemplateWithGenerationPrompt() {
        JsonNode chat = TextTokenizerGoldenTest.stream(TextTokenizerGoldenTest.golden("qwen3").get("chats"))
                .filter(c -> c.get("name").asText().equals("system_user") && c.get("add_generation_prompt").asBoolean())
                .findFirst().orElseThrow();
        TextTokenizer tokenizer = RealTokenizers.shared("qwen3");
        PromptFormat format = PromptFormat.chat("You are a terse assistant.");

        assertEquals(chat.get("text").asText(), format.render(tokenizer, "Name three rivers."));
        assertArrayEquals(TextTokenizerGoldenTest.ints(chat.get("ids")),
                format.encode(tokenizer, "Name three rivers."));
    }

    @Test
    void chat_putsPrefixAndSuffixAroundTheUserText() {
        PromptFormat format = new PromptFormat(PromptFormat.Mode.CHAT, "S", "Q: ", " (short)");

        assertEquals(List.of(ChatMessage.system("S"), ChatMessage.user("Q: why? (short)")), format.messages("why?"));
    }

    @Test
    void raw_isPrefixTextSuffix_withTheTokenizersOwnSpecialTokens() {
        PromptFormat format = new PromptFormat(PromptFormat.Mode.RAW, null, "Once upon", " a time");
        TextTokenizer gemma = RealTokenizers.shared("gemma3");
        TextTokenizer qwen = RealTokenizers.shared("qwen3");
        assertEquals("Once upon, a time", format.render(gemma, ","));
        int[] gemmaIds = format.encode(gemma, ",");
        assertEquals(gemma.bosId().orElseThrow(), gemmaIds[0], "Gemma's post-processor prepends <bos>");
        assertArrayEquals(qwen.encode("Once upon, a time"), format.encode(qwen, ","), "Qwen3 adds nothing");
    }

    @Test
    void raw_rejectsASystemPrompt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PromptFormat(PromptFormat.Mode.RAW, "be nice", "", ""));
        assertTrue(e.getMessage().contains("chat mode"), e.getMessage());
    }
}
