package dev.espalier.policy.cli;

import dev.espalier.hub.ConsoleProgressBar;
import dev.espalier.hub.FileFilters;
import dev.espalier.hub.HubClient;
import dev.espalier.hub.RepoRef;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * {@code --model} as a local directory, or as a Hugging Face model id {@code org/name[@revision]} downloaded into the
 * standard HF cache (so a cache filled by Python is reused). Download progress goes to stderr, keeping stdout JSON.
 */
final class HubModelLocator implements ModelLocator {

    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][\\w.-]*/[\\w.-]+(@[\\w./-]+)?");

    private final HubClient hub;
    private final PrintStream progress;

    HubModelLocator(HubClient hub, PrintStream progress) {
        this.hub = hub;
        this.progress = progress;
    }

    @Override
    public Path locate(String model) {
        Path local = Path.of(model);
        if (Files.isDirectory(local)) {
            return local;
        }
        if (!HUB_ID.matcher(model).matches() || model.startsWith(".") || model.startsWith("/")) {
            throw new IllegalArgumentException("--model '" + model + "' is neither a directory nor a Hugging Face "
                    + "model id (org/name[@revision])");
        }
        return hub.snapshot(RepoRef.parse(model), FileFilters.MODEL_FILES, new ConsoleProgressBar(progress));
    }
}
