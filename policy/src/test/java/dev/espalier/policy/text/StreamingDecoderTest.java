package dev.espalier.policy.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamingDecoderTest {

    private static final String TEXT = "Réponse: 日本語のテキスト、中文字符 🤖🦜𝄞 👩‍👩‍👧‍👦 naïve — Ελληνικά! done.";

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3", "gemma3"})
    void deltas_concatenateToFullDecode_andNeverSplitACharacter(String name) {
        TextTokenizer tokenizer = RealTokenizers.shared(name);
        int[] ids = IntStream.concat(Arrays.stream(tokenizer.encode(TEXT)),
                IntStream.of(tokenizer.eosId().orElseThrow())).toArray();
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StringBuilder streamed = new StringBuilder();

        for (int id : ids) {
            String delta = decoder.push(id);
            assertFalse(delta.contains("\uFFFD"), "delta with a broken character: " + delta);
            streamed.append(delta);
        }
        streamed.append(decoder.flush());

        assertEquals(tokenizer.decode(ids, true), streamed.toString());
        assertEquals(TEXT, streamed.toString().strip());
        assertEquals(streamed.toString(), decoder.text());
    }

    /** Every chat and raw sequence of the goldens, special tokens included, streams to exactly its full decode. */
    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3", "gemma3"})
    void deltas_equalFullDecode_onEveryGoldenSequence(String name) {
        TextTokenizer tokenizer = RealTokenizers.shared(name);
        JsonNode golden = TextTokenizerGoldenTest.golden(name);
        Stream<JsonNode> sequences = Stream.concat(
                TextTokenizerGoldenTest.stream(golden.get("chats")).map(c -> c.get("ids")),
                TextTokenizerGoldenTest.stream(golden.get("raw")).map(r -> r.get("ids_with_special_tokens")));

        sequences.map(TextTokenizerGoldenTest::ints).forEach(ids -> {
            String full = tokenizer.decode(ids, true);
            StreamingDecoder decoder = tokenizer.streamingDecoder();
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                streamed.append(decoder.push(id));
            }
            assertTrue(full.startsWith(streamed.toString()), "pushed text is not a prefix of " + full);
            streamed.append(decoder.flush());
            assertEquals(full, streamed.toString());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3"})
    void push_holdsBackBytesOfAnUnfinishedCharacter(String name) {
        TextTokenizer tokenizer = RealTokenizers.shared(name);
        int[] ids = tokenizer.encode("𝄞🦜");
        assertTrue(tokenizer.decode(Arrays.copyOf(ids, 1)).endsWith("\uFFFD"),
                "precondition: the first token is part of a character");
        StreamingDecoder decoder = tokenizer.streamingDecoder();

        assertEquals("", decoder.push(ids[0]));
        String rest = "";
        for (int i = 1; i < ids.length; i++) {
            rest += decoder.push(ids[i]);
        }

        assertEquals("𝄞🦜", rest + decoder.flush());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3"})
    void flush_emitsAnIncompleteCharacterAsReplacement_atTheEnd(String name) {
        TextTokenizer tokenizer = RealTokenizers.shared(name);
        int[] ids = tokenizer.encode("a𝄞");
        assertTrue(ids.length >= 3, "precondition: 𝄞 takes several byte tokens");
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        String streamed = "";
        for (int i = 0; i < ids.length - 1; i++) {
            streamed += decoder.push(ids[i]);
        }

        streamed += decoder.flush();

        assertTrue(streamed.startsWith("a") && streamed.endsWith("\uFFFD"), streamed);
        assertEquals(tokenizer.decode(Arrays.copyOf(ids, ids.length - 1), true), streamed);
    }
}
