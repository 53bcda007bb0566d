package dev.espalier.trainer.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.trainer.journal.StoredAdapter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * How closely a replayed policy must match the adapter its live step stored. On the CPU the engine is deterministic
 * at a fixed thread count, so the replay must be the same bits (same sha256). On a GPU, kernels may sum in another
 * order from run to run, so the adapters must agree within {@link #GPU_TOLERANCE} per parameter (largest absolute
 * difference over the parameter's largest magnitude); a session must stay playable there, not stop at its first undo.
 */
public final class ReplayCheck {

    static final double GPU_TOLERANCE = 1e-4;
    private static final Logger LOG = Logger.getLogger(ReplayCheck.class);

    private final double tolerance;

    private ReplayCheck(double tolerance) {
        this.tolerance = tolerance;
    }

    public static ReplayCheck forDevice(Device device) {
        return device.isGpu() ? new ReplayCheck(GPU_TOLERANCE) : exact();
    }

    static ReplayCheck exact() {
        return new ReplayCheck(0);
    }

    static ReplayCheck within(double tolerance) {
        return new ReplayCheck(tolerance);
    }

    /**
     * @return the replayed adapter's sha256
     * @throws IllegalStateException naming the version and both sha256 when the replay is not close enough
     */
    String verify(String what, LoraAdapter replayed, StoredAdapter stored, Path modelDir, Path workDir) {
        String sha = replayed.sha256();
        if (sha.equals(stored.sha256())) {
            return sha;
        }
        if (tolerance == 0) {
            throw new IllegalStateException("replaying " + what + " gave adapter " + sha
                    + " but the live step produced " + stored.sha256());
        }
        double difference = difference(replayed, stored, modelDir, workDir);
        if (!(difference <= tolerance)) {
            throw new IllegalStateException("replaying " + what + " gave adapter " + sha + ", " + difference
                    + " (relative) away from the live step's " + stored.sha256() + "; at most " + tolerance
                    + " is expected on this device");
        }
        LOG.infof("replaying %s gave other bits than the live step, %.2e (relative) apart: within %.0e", what,
                difference, tolerance);
        return sha;
    }

    private static double difference(LoraAdapter replayed, StoredAdapter stored, Path modelDir, Path workDir) {
        Path dir = scratch(workDir);
        try (NDScope temporaries = new NDScope(); NDManager manager = replayed.manager().newSubManager()) {
            StateArchive.unzip(stored.zip(), dir.resolve("adapter"));
            LoraAdapter live = LoraAdapter.load(dir.resolve("adapter"), modelDir, manager);
            List<NDArray> a = replayed.parameters();
            List<NDArray> b = live.parameters();
            double worst = 0;
            for (int i = 0; i < a.size(); i++) {
                double scale = b.get(i).abs().max().getFloat();
                double diff = a.get(i).sub(b.get(i)).abs().max().getFloat();
                worst = Math.max(worst, diff == 0 ? 0 : diff / Math.max(scale, Float.MIN_NORMAL));
            }
            return worst;
        } finally {
            StateArchive.deleteTree(dir);
        }
    }

    private static Path scratch(Path workDir) {
        try {
            Files.createDirectories(workDir);
            return Files.createTempDirectory(workDir, "verify-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create scratch space in " + workDir, e);
        }
    }
}
