package dev.espalier.stack;

import dev.espalier.hub.DownloadListener;
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
            return hub.snapshot(RepoRef.parse(model), FileFilters.MODEL_FILES, new ProgressBar(progress));
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

    /** One line per file, redrawn in place: {@code [#####     ] 48% model.safetensors 129.3/269.1 MB}. */
    static final class ProgressBar implements DownloadListener {
        private static final int WIDTH = 30;
        private final PrintStream out;
        private String file = "";
        private long lastPercent = -1;

        ProgressBar(PrintStream out) {
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
            String line;
            if (totalBytes > 0) {
                int filled = (int) (percent * WIDTH / 100);
                line = "[%s%s] %3d%% %s %.1f/%.1f MB".formatted("#".repeat(filled), " ".repeat(WIDTH - filled),
                        percent, file, bytesDone / 1e6, totalBytes / 1e6);
            } else {
                line = "%s %.1f MB".formatted(file, bytesDone / 1e6);
            }
            out.print("\r" + line + (totalBytes > 0 && bytesDone >= totalBytes ? "\n" : ""));
            out.flush();
        }
    }
}
