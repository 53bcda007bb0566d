package dev.espalier.policy.model;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One loaded copy of each base model per process, shared by every session and by whatever runs in the process
 * (rollouts, training, or both when all services share one JVM), and the one thread all model work runs on.
 * <p>
 * Why one thread: PyTorch keeps settings per thread (intra-op thread count, grad mode), and in the services steps
 * run on threads other than the one that started the engine and loaded the model were seen to go wrong: replays
 * that differ from the live step, once an infinite gradient norm where the same step on one thread is finite. The
 * root cause is not known; everything that touches the engine goes through {@link #run}, which makes a step and its
 * replay the same computation on the same thread. Models stay loaded until the JVM exits.
 */
public final class SharedModels {

    private static final Map<Path, CausalLm> MODELS = new ConcurrentHashMap<>();
    private static final ExecutorService MODEL_THREAD = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("espalier-model").daemon().factory());
    private static volatile Thread modelThread;
    private static NDManager manager;

    private SharedModels() {
    }

    /** The model of {@code modelDir}, loaded on first use (on the model thread). */
    public static CausalLm get(Path modelDir) {
        Path key = modelDir.toAbsolutePath().normalize();
        return run(() -> MODELS.computeIfAbsent(key, dir -> CausalLm.load(dir, manager())));
    }

    /**
     * The process-wide manager the shared models (and anything that lives as long as they do) hang off; the engine
     * starts on the model thread with {@code ai.djl.pytorch.num_threads} intra-op threads (else every core).
     */
    public static NDManager manager() {
        return run(() -> {
            if (manager == null) {
                manager = NDManager.newBaseManager("PyTorch");
                JniUtils.setNumThreads(Integer.getInteger("ai.djl.pytorch.num_threads",
                        Runtime.getRuntime().availableProcessors()));
            }
            return manager;
        });
    }

    /** Runs {@code work} on the model thread and waits for it; called from the model thread, it just runs it. */
    public static <T> T run(Callable<T> work) {
        if (Thread.currentThread() == modelThread) {
            return call(work);
        }
        Future<T> result = MODEL_THREAD.submit(() -> {
            modelThread = Thread.currentThread();
            return call(work);
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the model thread", e);
        }
    }

    private static <T> T call(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
