package dev.espalier.policy.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from /proc/self/status (Linux): native tensors are invisible to the Java heap
 * figures, so leaks and peaks are measured here. Returns -1 where /proc is not available.
 */
public final class ProcessMemory {

    private ProcessMemory() {
    }

    /** Current resident set size, MiB. */
    public static double rssMib() {
        return field("VmRSS:");
    }

    /** Peak resident set size since the process started, MiB. */
    public static double peakRssMib() {
        return field("VmHWM:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).replace("kB", "").strip()) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
