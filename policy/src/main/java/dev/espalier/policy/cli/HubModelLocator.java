package dev.espalier.policy.cli;

import dev.espalier.hub.DownloadListener;
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
        return hub.snapshot(RepoRef.parse(model), FileFilters.MODEL_FILES, new ProgressLine(progress));
    }

    /** One line per file, rewritten in place with the percentage, like a progress bar. */
    private static final class ProgressLine implements DownloadListener {
        private final PrintStream out;
        private String file = "";
        private long lastPercent = -1;

        ProgressLine(PrintStream out) {
            this.out = out;
        }

        @Override
        public void progress(String file, long bytesDone, long totalBytes) {
            long percent = totalBytes > 0 ? bytesDone * 100 / totalBytes : -1;
            if (file.equals(this.file) && percent == lastPercent) {
                return;
            }
            this.file = file;
            lastPercent = percent;
            String size = totalBytes > 0 ? "%d%% of %.1f MB".formatted(percent, totalBytes / 1e6) : bytesDone + " bytes";
            out.print("\rdownloading " + file + ": " + size + (bytesDone == totalBytes ? "\n" : ""));
            out.flush();
        }
    }
}
