package dev.espalier.policy.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {

    @TempDir
    Path dir;

    @Test
    void load_failsNamingTokenizerJson_whenFolderHasNone() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(dir));

        assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains(dir.toString()),
                e.getMessage());
    }

    @Test
    void encode_neverTruncates_longText() {
        String text = "word ".repeat(3000);
        TextTokenizer tokenizer = RealTokenizers.shared("qwen3");
        int[] ids = tokenizer.encode(text);

        assertTrue(ids.length >= 3000, "got " + ids.length + " tokens");
        assertEquals(text, tokenizer.decode(ids));
    }

    @Test
    void applyChatTemplate_reportsTheTemplatesOwnError() {
        // Gemma 3's template insists on alternating user/assistant turns.
        TextTokenizer tokenizer = RealTokenizers.shared("gemma3");
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> tokenizer.applyChatTemplate(
                List.of(ChatMessage.user("a"), ChatMessage.user("b")), true));

        assertTrue(e.getMessage().contains("Conversation roles must alternate user/assistant/user/assistant"),
                e.getMessage());
    }

    @Test
    void stopIds_addGenerationConfigEosIdsToEosToken() throws IOException {
        Path qwen = RealTokenizers.qwen3();
        Files.createSymbolicLink(dir.resolve("tokenizer.json"), qwen.resolve("tokenizer.json"));
        Files.createSymbolicLink(dir.resolve("tokenizer_config.json"), qwen.resolve("tokenizer_config.json"));
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            assertEquals(Set.of(151645), tokenizer.stopIds(), "<|im_end|> alone without generation_config.json");

            Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [151645, 151643]}");
            assertEquals(Set.of(151645, 151643), tokenizer.stopIds());

            Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 7}");
            assertEquals(Set.of(151645, 7), tokenizer.stopIds());
        }
    }

    @Test
    void config_readsAddedTokenObjectsAndNamedTemplates() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<s>", "lstrip": false, "__type": "AddedToken"},
                 "eos_token": "</s>", "pad_token": null,
                 "chat_template": [{"name": "default", "template": "{{ bos_token }}{{ messages[0].content }}"},
                                   {"name": "tool_use", "template": "T"}]}
                """);

        TokenizerConfig config = TokenizerConfig.read(dir);

        assertEquals(Optional.of("<s>"), config.bosToken());
        assertEquals(Optional.of("</s>"), config.eosToken());
        assertEquals(Optional.empty(), config.padToken());
        assertEquals(Optional.of("{{ bos_token }}{{ messages[0].content }}"), config.chatTemplate());
        assertEquals(Map.of("default", "{{ bos_token }}{{ messages[0].content }}", "tool_use", "T"),
                config.namedTemplates());
    }

    @Test
    void config_prefersChatTemplateJinjaFile_asTransformersDoes() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"old\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "new");

        assertEquals(Optional.of("new"), TokenizerConfig.read(dir).chatTemplate());
    }

    @Test
    void config_failsNamingTheFile_whenJsonIsBroken() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{not json");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenizerConfig.read(dir));

        assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
    }
}
