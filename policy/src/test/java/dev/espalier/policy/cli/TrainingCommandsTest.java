package dev.espalier.policy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.policy.model.ModelLocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** step and merge as a script uses them: JSON out, exit 2 and nothing written on bad input. */
class TrainingCommandsTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static Path golden(String sub) {
        try {
            return Path.of(TrainingCommandsTest.class.getResource("/golden/" + sub).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private int espalier(String... argv) {
        out.reset();
        err.reset();
        return new EspalierCli(ModelLocator.LOCAL_DIRECTORY, new LoraAdapterInput(ModelLocator.LOCAL_DIRECTORY))
                .run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path caseFile(String json) throws Exception {
        Path file = Files.createTempFile(dir, "case", ".json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    void step_thenMerge_printJsonAndWriteAdapterStateAndModel() throws Exception {
        String model = golden("grpo-llama/model").toString();
        Path good = caseFile("{\"prompt_ids\":[5,6,7],\"completions\":[[8,9],[10,11,12],[13],[14,2]],\"choice\":1}");
        assertEquals(0, espalier("step", "--model", model, "--adapter-in", "none", "--case", good.toString(),
                "--out", dir.resolve("s1").toString(), "--lora-rank", "4", "--lr", "1e-2", "--threads", "1"), err.toString());
        JsonNode result = new ObjectMapper().readTree(out.toString());
        assertEquals(4, result.get("advantages").size());
        assertEquals(1, result.get("step").asInt());
        assertTrue(result.get("grad_norm").asDouble() > 0);
        assertTrue(Files.isRegularFile(dir.resolve("s1/adapter_model.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("s1/optimizer.safetensors")));

        assertEquals(0, espalier("merge", "--model", model, "--adapter", dir.resolve("s1").toString(),
                "--out", dir.resolve("merged").toString()), err.toString());
        assertTrue(Files.isRegularFile(dir.resolve("merged/model.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("merged/generation_config.json")));
    }

    @Test
    void step_rejectsBadInput_withExit2_andWritesNothing() throws Exception {
        String model = golden("grpo-llama/model").toString();
        String out1 = dir.resolve("out").toString();
        Path badChoice = caseFile("{\"prompt_ids\":[5],\"completions\":[[8],[10],[13],[14]],\"choice\":4}");
        assertEquals(2, espalier("step", "--model", model, "--adapter-in", "none", "--case", badChoice.toString(),
                "--out", out1, "--threads", "1"));
        assertTrue(err.toString().contains("choice 4 is outside 0..3"), err.toString());

        Path empty = caseFile("{\"prompt_ids\":[5],\"completions\":[[8],[],[13],[14]],\"choice\":0}");
        assertEquals(2, espalier("step", "--model", model, "--adapter-in", "none", "--case", empty.toString(),
                "--out", out1, "--threads", "1"));
        assertTrue(err.toString().contains("completions[1] is empty"), err.toString());

        Path notJson = caseFile("{\"prompt_ids\": [5], oops");
        assertEquals(2, espalier("step", "--model", model, "--adapter-in", "none", "--case", notJson.toString(),
                "--out", out1, "--threads", "1"));
        assertTrue(err.toString().contains("not valid JSON"), err.toString());

        Path good = caseFile("{\"prompt_ids\":[5],\"completions\":[[8],[10],[13],[14]],\"choice\":0}");
        assertEquals(2, espalier("step", "--model", model, "--adapter-in", golden("grpo-toy/start").toString(),
                "--case", good.toString(), "--out", out1, "--threads", "1"));
        assertTrue(err.toString().contains("but the base model needs"), err.toString());
        assertFalse(Files.exists(Path.of(out1)));
    }
}
