package dev.espalier.policy.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ChatTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Each Jinja feature real templates use renders exactly as transformers' Jinja environment renders it. */
    @TestFactory
    Stream<DynamicTest> render_matchesTransformersJinja_onEveryTemplateFeature() throws IOException {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/tokenizer/template_features.json")) {
            golden = JSON.readTree(in);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> context = JSON.convertValue(golden.get("context"), Map.class);
        return java.util.stream.StreamSupport.stream(golden.get("cases").spliterator(), false)
                .map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> assertEquals(
                        c.get("expected").asText(),
                        ChatTemplate.of(c.get("template").asText()).renderWith(context),
                        c.get("template").asText())));
    }

    /** Templates in the style of Llama 3.2, Mistral and DeepSeek-R1 render as transformers renders them. */
    @TestFactory
    Stream<DynamicTest> render_matchesTransformersJinja_onOtherModelFamiliesTemplates() throws IOException {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/tokenizer/template_features.json")) {
            golden = JSON.readTree(in);
        }
        return java.util.stream.StreamSupport.stream(golden.get("model_template_cases").spliterator(), false)
                .map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> context = JSON.convertValue(c.get("context"), Map.class);
                    String template = golden.get("model_templates").get(c.get("template").asText()).asText();
                    assertEquals(c.get("expected").asText(), ChatTemplate.of(template).renderWith(context));
                }));
    }

    @Test
    void render_throwsTemplatesOwnMessage_whenTemplateRaises() {
        ChatTemplate template = ChatTemplate.of(
                "{% if messages[0].role != 'user' %}{{ raise_exception('Conversation must start with user') }}{% endif %}");

        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> template.render(List.of(ChatMessage.assistant("hi")), true, Map.of()));

        assertEquals("chat template raised an error: Conversation must start with user", e.getMessage());
    }

    @Test
    void render_failsNamingTheProblem_whenTemplateDoesNotParse() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.of("{% for m in messages %}{{ m.role }").render(List.of(), false, Map.of()));

        assertTrue(e.getMessage().startsWith("chat template failed at line"), e.getMessage());
    }
}
