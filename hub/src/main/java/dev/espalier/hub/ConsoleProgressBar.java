package dev.espalier.hub;

import java.io.PrintStream;

/**
 * Download progress for a terminal: one line per file, redrawn in place,
 * {@code [#####     ] 48% model.safetensors 129.3/269.1 MB}. Meant for stderr, so a command's stdout stays clean.
 */
public final class ConsoleProgressBar implements DownloadListener {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private String file = "";
    private long lastPercent = -1;

    public ConsoleProgressBar(PrintStream out) {
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
