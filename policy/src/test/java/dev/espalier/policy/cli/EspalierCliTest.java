package dev.espalier.policy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.model.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EspalierCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    private static Path model;

    private record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void init() {
        model = TestModels.llama(tmp.resolve("model"));
    }

    private static Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new EspalierCli(ModelLocator.LOCAL_DIRECTORY, AdapterInput.BASE_MODEL)
                .run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void score_printsOneLogprobPerNextTokenAndTheLastLogits() throws Exception {
        Result r = run("score", "--model", model.toString(), "--ids", "1,5,9,20");
        assertEquals(0, r.status(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals(3, json.get("token_logprobs").size());
        assertEquals(96, json.get("last_logits").size());
        // token_logprobs[2] = log softmax(last logits of the prefix 1,5,9)[20], checked via a shorter call
        Result prefix = run("score", "--model", model.toString(), "--ids", "1,5,9");
        JsonNode last = JSON.readTree(prefix.out()).get("last_logits");
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode v : last) {
            max = Math.max(max, v.asDouble());
        }
        double sum = 0;
        for (JsonNode v : last) {
            sum += Math.exp(v.asDouble() - max);
        }
        double expected = last.get(20).asDouble() - max - Math.log(sum);
        assertEquals(expected, json.get("token_logprobs").get(2).asDouble(), 1e-4);
    }

    @Test
    void generate_printsOneJsonLinePerRollout_reproducibly() throws Exception {
        String[] argv = {"generate", "--model", model.toString(), "--prompt-ids", "1,2,3", "-n", "3",
                "--max-new-tokens", "6", "--temperature", "1.2", "--top-p", "1", "--min-p", "0.1", "--top-k", "0",
                "--seed", "7"};
        Result r = run(argv);
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length);
        for (int i = 0; i < 3; i++) {
            JsonNode line = JSON.readTree(lines[i]);
            assertEquals(i, line.get("index").asInt());
            assertEquals(line.get("token_ids").size(), line.get("logprobs").size());
            assertTrue(line.get("finish_reason").asText().matches("stop|length"));
        }
        assertEquals(r.out(), run(argv).out());
    }

    @Test
    void badArguments_exitWithStatus2_namingTheArgument_andPrintNothing() {
        String m = model.toString();
        assertRejected("-n", "generate", "--model", m, "--prompt-ids", "1,2", "-n", "0");
        assertRejected("--temperature", "generate", "--model", m, "--prompt-ids", "1,2", "--temperature", "-1");
        assertRejected("--top-p", "generate", "--model", m, "--prompt-ids", "1,2", "--top-p", "1.5");
        assertRejected("--top-p", "generate", "--model", m, "--prompt-ids", "1,2", "--top-p", "0");
        assertRejected("--prompt-ids", "generate", "--model", m, "--prompt-ids", "1,x");
        assertRejected("max_position_embeddings", "generate", "--model", m, "--prompt-ids", ids(64));
        assertRejected("max_position_embeddings", "score", "--model", m, "--ids", ids(65));
        assertRejected("config.json", "score", "--model", tmp.toString(), "--ids", "1,2");
        assertRejected("--adapter", "score", "--model", m, "--ids", "1,2", "--adapter", tmp.toString());
        assertRejected("vocabulary", "score", "--model", m, "--ids", "1,500");
    }

    @Test
    void initModel_writesNothing_whenAnArgumentIsBad() throws Exception {
        Path out = tmp.resolve("never");
        assertRejected("--arch", "init-model", "--arch", "gpt2", "--out", out.toString());
        assertRejected("num_key_value_heads", "init-model", "--arch", "llama", "--heads", "4", "--kv-heads", "3",
                "--out", out.toString());
        assertFalse(Files.exists(out));
        assertRejected("not empty", "init-model", "--arch", "llama", "--out", model.toString());
    }

    @Test
    void initModel_withTokenizer_copiesItAndTakesItsVocabularySize() throws Exception {
        Path tokDir = Files.createDirectories(tmp.resolve("tok"));
        Files.writeString(tokDir.resolve("tokenizer.json"),
                "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"d\":99}},"
                        + "\"added_tokens\":[{\"id\":120,\"content\":\"<|end|>\"}]}");
        Files.writeString(tokDir.resolve("tokenizer_config.json"), "{\"eos_token\":\"<|end|>\"}");
        Path out = tmp.resolve("with-tokenizer");
        Result r = run("init-model", "--arch", "qwen3", "--hidden", "32", "--heads", "4", "--kv-heads", "2",
                "--tokenizer", tokDir.resolve("tokenizer.json").toString(), "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(121, JSON.readTree(out.resolve("config.json").toFile()).get("vocab_size").asInt());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(5, files.count()); // config, generation config, weights, tokenizer, tokenizer config
        }
        assertTrue(Files.isRegularFile(out.resolve("tokenizer_config.json")));
    }

    private static String ids(int n) {
        return String.join(",", java.util.Collections.nCopies(n, "3"));
    }

    private static void assertRejected(String named, String... argv) {
        Result r = run(argv);
        assertEquals(2, r.status(), String.join(" ", argv) + " → " + r.err());
        assertTrue(r.err().contains(named), "error should name " + named + ": " + r.err());
        assertEquals("", r.out());
    }
}
