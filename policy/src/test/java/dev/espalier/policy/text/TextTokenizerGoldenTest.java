package dev.espalier.policy.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Chat rendering, encoding and decoding of real tokenizers equal transformers' (tools/goldens_tokenizer.py). */
class TextTokenizerGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @TestFactory
    Stream<DynamicNode> tokenizers_matchTransformers() {
        return Stream.of("qwen3", "llama3", "gemma3").map(name -> DynamicContainer.dynamicContainer(name,
                () -> tests(name).iterator()));
    }

    private static Stream<DynamicNode> tests(String name) {
        JsonNode golden = golden(name);
        TextTokenizer tokenizer = RealTokenizers.shared(name);
        Stream<DynamicNode> ids = Stream.of(DynamicTest.dynamicTest("special token ids", () -> {
            assertEquals(optionalId(golden.get("bos_token_id")), tokenizer.bosId());
            assertEquals(optionalId(golden.get("eos_token_id")), tokenizer.eosId());
            assertEquals(optionalId(golden.get("pad_token_id")), tokenizer.padId());
        }));
        Stream<DynamicNode> chats = stream(golden.get("chats")).map(chat -> DynamicTest.dynamicTest(
                "chat " + chat.get("name").asText() + " " + chat.get("variables") + " gen=" + chat.get("add_generation_prompt").asBoolean(), () -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> variables = JSON.convertValue(chat.get("variables"), Map.class);
                    String text = tokenizer.applyChatTemplate(messages(chat.get("messages")),
                            chat.get("add_generation_prompt").asBoolean(), variables);
                    assertEquals(chat.get("text").asText(), text);
                    assertArrayEquals(ints(chat.get("ids")), tokenizer.encode(text));
                }));
        Stream<DynamicNode> raws = stream(golden.get("raw")).map(raw -> DynamicTest.dynamicTest(
                "raw " + raw.get("text").asText(), () -> {
                    String text = raw.get("text").asText();
                    assertArrayEquals(ints(raw.get("ids")), tokenizer.encode(text));
                    int[] withSpecial = ints(raw.get("ids_with_special_tokens"));
                    assertArrayEquals(withSpecial, tokenizer.encodeWithSpecialTokens(text));
                    assertArrayEquals(withSpecial, PromptFormat.raw().encode(tokenizer, text));
                    assertEquals(raw.get("decoded").asText(), tokenizer.decode(withSpecial));
                    assertEquals(raw.get("decoded_skip_special").asText(), tokenizer.decode(withSpecial, true));
                }));
        return Stream.of(ids, chats, raws).flatMap(s -> s);
    }

    static JsonNode golden(String name) {
        try (InputStream in = TextTokenizerGoldenTest.class.getResourceAsStream(
                "/golden/tokenizer/" + name + ".json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<ChatMessage> messages(JsonNode json) {
        return stream(json).map(m -> new ChatMessage(m.get("role").asText(), m.get("content").asText())).toList();
    }

    private static OptionalInt optionalId(JsonNode id) {
        return id == null || id.isNull() ? OptionalInt.empty() : OptionalInt.of(id.asInt());
    }

    static int[] ints(JsonNode array) {
        return stream(array).mapToInt(JsonNode::asInt).toArray();
    }

    static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }
}
