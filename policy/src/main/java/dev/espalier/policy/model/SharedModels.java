package dev.espalier.policy.model;

import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One loaded copy of each base model per process, shared by every session and by whatever runs in the process
 * (rollouts, training, or both when all services share one JVM): the base weights are read-only, only adapters and
 * KV caches are per use. Models stay loaded until the JVM exits.
 */
public final class SharedModels {

    private static final Map<Path, CausalLm> MODELS = new ConcurrentHashMap<>();
    private static NDManager manager;

    private SharedModels() {
    }

    /** The model of {@code modelDir}, loaded on first use. */
    public static CausalLm get(Path modelDir) {
        return MODELS.computeIfAbsent(modelDir.toAbsolutePath().normalize(), dir -> CausalLm.load(dir, manager()));
    }

    /** The process-wide manager the shared models (and anything that lives as long as they do) hang off. */
    public static synchronized NDManager manager() {
        if (manager == null) {
            manager = NDManager.newBaseManager("PyTorch");
        }
        return manager;
    }
}
