package dev.espalier.policy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.hub.FakeHub;
import dev.espalier.hub.ConsoleProgressBar;
import dev.espalier.hub.DownloadListener;
import dev.espalier.hub.HubClient;
import dev.espalier.policy.model.HubModelLocator;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.policy.model.TestModels;
import dev.espalier.policy.text.RealTokenizers;
import dev.espalier.policy.text.TextTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code generate} as a script uses it: text prompts through the chat template, streamed text, hub model ids. */
class GenerateCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void tinyQwen3WithRealTokenizer() {
        model = TestModels.init(dir.resolve("qwen3"), "--arch", "qwen3", "--hidden", "32", "--layers", "2",
                "--heads", "4", "--kv-heads", "2", "--head-dim", "8", "--intermediate", "64", "--seed", "5",
                "--tokenizer", RealTokenizers.qwen3().resolve("tokenizer.json").toString());
    }

    private record Run(int status, List<JsonNode> lines, String err) {
    }

    private static Run run(ModelLocator models, String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new EspalierCli(models, AdapterInput.BASE_MODEL).run(argv,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new AssertionError("stdout line is not JSON: " + line, e);
                }
            }
        }
        return new Run(status, lines, err.toString(StandardCharsets.UTF_8));
    }

    private static Run generate(String modelArg, ModelLocator models) {
        return run(models, "generate", "--model", modelArg, "--prompt", "Why is the sky blue? 🌈", "--chat",
                "--system", "Answer briefly.", "-n", "3", "--max-new-tokens", "12", "--temperature", "1.5",
                "--min-p", "0", "--seed", "11", "--stream");
    }

    @Test
    void generate_textPrompt_streamsDeltasThatAddUpToEachRolloutsText() {
        Run run = generate(model.toString(), ModelLocator.LOCAL_DIRECTORY);
        assertEquals(0, run.status(), run.err());

        Map<Integer, StringBuilder> streamed = new HashMap<>();
        List<JsonNode> rollouts = new ArrayList<>();
        for (JsonNode line : run.lines()) {
            if (line.has("delta")) {
                streamed.computeIfAbsent(line.get("index").asInt(), i -> new StringBuilder()).append(line.get("delta").asText());
            } else {
                rollouts.add(line);
            }
        }
        assertEquals(3, rollouts.size());
        TextTokenizer tokenizer = RealTokenizers.shared("qwen3");
        for (JsonNode rollout : rollouts) {
            int index = rollout.get("index").asInt();
            int[] ids = ids(rollout);
            String text = rollout.get("text").asText();
            assertEquals(tokenizer.decode(ids, true), text, "rollout text is the decode of its tokens");
            assertEquals(text, streamed.getOrDefault(index, new StringBuilder()).toString(), "deltas add up to the text");
        }
    }

    @Test
    void generate_textPrompt_isTheChatTemplateRendering_andSameSeedSameTokens() {
        Run first = run(ModelLocator.LOCAL_DIRECTORY, "generate", "--model", model.toString(), "--prompt", "Hi",
                "--chat", "--system", "Be kind.", "-n", "2", "--max-new-tokens", "6", "--seed", "4");
        Run again = run(ModelLocator.LOCAL_DIRECTORY, "generate", "--model", model.toString(), "--prompt", "Hi",
                "--chat", "--system", "Be kind.", "-n", "2", "--max-new-tokens", "6", "--seed", "4");
        assertEquals(0, first.status(), first.err());
        assertEquals(first.lines(), again.lines());

        // The same prompt given as ids, rendered here by the tokenizer's own chat template, samples the same tokens.
        TextTokenizer tokenizer = RealTokenizers.shared("qwen3");
        String rendered = tokenizer.applyChatTemplate(List.of(
                dev.espalier.policy.text.ChatMessage.system("Be kind."),
                dev.espalier.policy.text.ChatMessage.user("Hi")), true);
        String ids = Stream.of(tokenizer.encode(rendered)).flatMapToInt(java.util.Arrays::stream)
                .mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElseThrow();
        Run byIds = run(ModelLocator.LOCAL_DIRECTORY, "generate", "--model", model.toString(), "--prompt-ids", ids,
                "-n", "2", "--max-new-tokens", "6", "--seed", "4");
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(ids(first.lines().get(i)), ids(byIds.lines().get(i)));
        }
    }

    @Test
    void generate_hubModelId_downloadsIntoTheHfCacheOnce_thenGivesTheSameRollouts() throws IOException {
        Map<String, FakeHub.RepoFile> files = new HashMap<>();
        try (Stream<Path> list = Files.list(model)) {
            for (Path f : list.toList()) {
                files.put(f.getFileName().toString(),
                        new FakeHub.RepoFile(Files.readAllBytes(f), f.toString().endsWith(".safetensors")));
            }
        }
        Path cache = dir.resolve("hf-cache");
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo("models/org/tiny-qwen3", "0123456789abcdef0123456789abcdef01234567", files, false);
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            ModelLocator locator = new HubModelLocator(HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache)
                    .build(), new ConsoleProgressBar(new PrintStream(progress)));

            Run fromHub = generate("org/tiny-qwen3", locator);
            assertEquals(0, fromHub.status(), fromHub.err());
            assertEquals(generate(model.toString(), ModelLocator.LOCAL_DIRECTORY).lines(), fromHub.lines());
            assertTrue(Files.isDirectory(cache.resolve("models--org--tiny-qwen3/snapshots")));
            assertTrue(progress.toString(StandardCharsets.UTF_8).contains("model.safetensors"));

            int requests = hub.requests.size();
            assertEquals(0, generate("org/tiny-qwen3", new HubModelLocator(
                    HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).offline(true).build(),
                    DownloadListener.NONE)).status());
            assertEquals(requests, hub.requests.size(), "offline run reads the cache only");
        }
    }

    @Test
    void generate_badArguments_failNamingTheArgument() throws IOException {
        Run both = run(ModelLocator.LOCAL_DIRECTORY, "generate", "--model", model.toString(), "--prompt", "x",
                "--prompt-ids", "1,2");
        assertEquals(2, both.status());
        assertTrue(both.err().contains("--prompt"), both.err());

        Path noTokenizer = TestModels.llama(dir.resolve("no-tokenizer"));
        Run text = run(ModelLocator.LOCAL_DIRECTORY, "generate", "--model", noTokenizer.toString(), "--prompt", "x");
        assertEquals(2, text.status());
        assertTrue(text.err().contains("tokenizer.json"), text.err());

        Run notAModel = run(new HubModelLocator(HubClient.builder().cacheDir(dir.resolve("empty-cache"))
                .offline(true).build(), DownloadListener.NONE),
                "generate", "--model", "./not/a/dir", "--prompt", "x");
        assertEquals(2, notAModel.status());
        assertTrue(notAModel.err().contains("./not/a/dir"), notAModel.err());

        Run uncached = run(new HubModelLocator(HubClient.builder().cacheDir(dir.resolve("empty-cache"))
                .offline(true).build(), DownloadListener.NONE),
                "generate", "--model", "org/never-downloaded", "--prompt", "x");
        assertEquals(2, uncached.status());
        assertTrue(uncached.err().contains("org/never-downloaded"), uncached.err());
        assertFalse(Files.exists(dir.resolve("empty-cache/models--org--never-downloaded/snapshots")));
    }

    private static int[] ids(JsonNode rollout) {
        int[] ids = new int[rollout.get("token_ids").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rollout.get("token_ids").get(i).asInt();
        }
        return ids;
    }
}
