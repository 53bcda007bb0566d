package dev.espalier.policy.model;

import dev.espalier.hub.DownloadListener;
import dev.espalier.hub.FileFilters;
import dev.espalier.hub.HubClient;
import dev.espalier.hub.RepoRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A model named as a local directory, or as a Hugging Face model id {@code org/name[@revision]} downloaded into the
 * standard HF cache (so a cache filled by Python, or by another service on a shared volume, is reused). Once a
 * revision is in the cache it is read from there, so every process that shares the cache sees the same weights.
 */
public final class HubModelLocator implements ModelLocator {

    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][\\w.-]*/[\\w.-]+(@[\\w./-]+)?");

    private final HubClient hub;
    private final DownloadListener progress;

    public HubModelLocator(HubClient hub, DownloadListener progress) {
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
            throw new IllegalArgumentException("model '" + model + "' is neither a directory nor a Hugging Face "
                    + "model id (org/name[@revision])");
        }
        return hub.snapshot(RepoRef.parse(model), FileFilters.MODEL_FILES, progress);
    }
}
