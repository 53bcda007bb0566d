package dev.espalier.stack;

import dev.espalier.hub.ConsoleProgressBar;
import dev.espalier.hub.FileFilters;
import dev.espalier.hub.HubClient;
import dev.espalier.hub.HubException;
import dev.espalier.hub.RepoRef;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns the model option into one local model directory for the whole stack: a directory as it is, a hub id
 * downloaded into the Hugging Face cache (with a progress bar), or the demo model. A hub that cannot be reached with
 * nothing cached is a {@link ModelUnavailable} whose message says what to do.
 */
final class ModelSource {

    private final HubClient hub;
    private final PrintStream progress;

    ModelSource(HubClient hub, PrintStream progress) {
        this.hub = hub;
        this.progress = progress;
    }

    Path resolve(StackOptions options) {
        if (options.demo()) {
            return DemoModel.ensure(options.home().resolve("models/demo"), progress);
        }
        String model = options.modelOrDefault();
        Path local = Path.of(model);
        if (Files.isDirectory(local)) {
            if (!Files.isRegularFile(local.resolve("config.json"))) {
                throw new ModelUnavailable("--model " + local + ": no config.json there, not a Hugging Face model directory");
            }
            return local.toAbsolutePath();
        }
        if (model.startsWith("/") || model.startsWith(".") || model.chars().filter(c -> c == '/').count() != 1) {
            throw new ModelUnavailable("--model " + model + ": no such directory, and not a hub id (org/name)");
        }
        try {
            progress.println("espalier: model " + model + " (Hugging Face cache " + hub.cacheDir() + ")");
            return hub.snapshot(RepoRef.parse(model), FileFilters.MODEL_FILES, new ConsoleProgressBar(progress));
        } catch (HubException e) {
            throw new ModelUnavailable("cannot get model " + model + " from the Hugging Face hub: " + e.getMessage()
                    + "\n  nothing of it is cached under " + hub.cacheDir() + "."
                    + "\n  Check the network (or HF_ENDPOINT / HF_TOKEN), pass a local model with --model DIR,"
                    + "\n  or try the loop with a tiny random model: ./espalier up --demo", e);
        }
    }

    /** The model cannot be had; the message is for the person at the terminal. */
    static final class ModelUnavailable extends RuntimeException {
        ModelUnavailable(String message) {
            super(message);
        }

        ModelUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
