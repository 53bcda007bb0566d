package dev.espalier.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.hub.HubClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceTest {

    @TempDir
    Path dir;

    @Test
    void defaultModel_whenHubUnreachableAndNothingCached_saysWhatToDo_andSuggestsDemo() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        HubClient hub = HubClient.builder().endpoint(URI.create("http://127.0.0.1:" + closed))
                .cacheDir(dir.resolve("hf")).build();
        var models = new ModelSource(hub, new PrintStream(new ByteArrayOutputStream()));

        var e = assertThrows(ModelSource.ModelUnavailable.class,
                () -> models.resolve(StackOptions.parse(new String[] {"--home", dir.toString()})));

        assertTrue(e.getMessage().startsWith("cannot get model HuggingFaceTB/SmolLM2-135M-Instruct from the Hugging "
                + "Face hub"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing of it is cached under " + dir.resolve("hf")), e.getMessage());
        assertTrue(e.getMessage().contains("./espalier up --demo"), e.getMessage());
    }

    @Test
    void localDirectory_isUsedAsItIs_withoutAskingTheHub() throws IOException {
        Path model = Files.createDirectories(dir.resolve("my-model"));
        Files.writeString(model.resolve("config.json"), "{}");
        HubClient offline = HubClient.builder().cacheDir(dir.resolve("hf")).offline(true).build();

        Path resolved = new ModelSource(offline, System.out)
                .resolve(StackOptions.parse(new String[] {"--model", model.toString()}));

        assertEquals(model.toAbsolutePath(), resolved);
    }

    @Test
    void localDirectoryWithoutConfig_isRefusedNamingIt() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        HubClient offline = HubClient.builder().cacheDir(dir.resolve("hf")).offline(true).build();

        var e = assertThrows(ModelSource.ModelUnavailable.class, () -> new ModelSource(offline, System.out)
                .resolve(StackOptions.parse(new String[] {"--model", empty.toString()})));

        assertEquals("--model " + empty + ": no config.json there, not a Hugging Face model directory", e.getMessage());
    }

    @Test
    void progressBar_drawsPercentAndSize_andEndsTheLineWhenTheFileIsDone() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var bar = new dev.espalier.hub.ConsoleProgressBar(new PrintStream(out, true, StandardCharsets.UTF_8));

        bar.progress("model.safetensors", 50_000_000, 100_000_000);
        bar.progress("model.safetensors", 100_000_000, 100_000_000);

        assertEquals("\r[###############               ]  50% model.safetensors 50.0/100.0 MB"
                + "\r[##############################] 100% model.safetensors 100.0/100.0 MB\n",
                out.toString(StandardCharsets.UTF_8));
    }
}
