package dev.espalier.policy.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.lora.PeftFormat;
import dev.espalier.policy.lora.TargetModules;
import dev.espalier.policy.safetensors.SafetensorsFile;
import dev.espalier.policy.safetensors.SafetensorsWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a step reads and writes: the adapter, AdamW's moments and step count, and the session seed. Saved as a
 * directory that is at once a PEFT adapter (adapter_model.safetensors + adapter_config.json) and a full checkpoint
 * ({@value #OPTIMIZER_FILE}: {@code <PEFT key>.exp_avg} / {@code .exp_avg_sq} in float32, step and seed in the
 * metadata). Float32 values are stored raw, so save → load reproduces the state bit for bit.
 */
public final class TrainingState implements AutoCloseable {

    public static final String OPTIMIZER_FILE = "optimizer.safetensors";

    private final LoraAdapter adapter;
    private final OptimizerState optimizer;
    private final long seed;

    private TrainingState(LoraAdapter adapter, OptimizerState optimizer, long seed) {
        this.adapter = adapter;
        this.optimizer = optimizer;
        this.seed = seed;
    }

    /** A new session: PEFT-initialised adapter from the seed, zero moments, step 0. */
    public static TrainingState fresh(Path modelDir, LoraConfig config, long seed, NDManager manager) {
        LoraAdapter adapter = LoraAdapter.initialise(config, TargetModules.discover(modelDir, config.targets()), seed,
                manager);
        return new TrainingState(adapter, OptimizerState.zeros(adapter.parameters(), adapter.manager()), seed);
    }

    /**
     * Loads a state directory. A plain PEFT adapter (no optimizer file) starts with zero moments at step 0 under
     * {@code seedIfNew}; otherwise the stored seed wins.
     */
    public static TrainingState load(Path dir, Path modelDir, long seedIfNew, NDManager manager) {
        LoraAdapter adapter = LoraAdapter.load(dir, modelDir, manager);
        Path file = dir.resolve(OPTIMIZER_FILE);
        if (!Files.isRegularFile(file)) {
            return new TrainingState(adapter, OptimizerState.zeros(adapter.parameters(), adapter.manager()), seedIfNew);
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            List<String> keys = adapter.parameterKeys();
            List<NDArray> m = new ArrayList<>();
            List<NDArray> v = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                Shape shape = adapter.parameters().get(i).getShape();
                m.add(moment(st, keys.get(i) + ".exp_avg", shape, adapter.manager()));
                v.add(moment(st, keys.get(i) + ".exp_avg_sq", shape, adapter.manager()));
            }
            if (st.tensors().size() != 2 * keys.size()) {
                throw new IllegalArgumentException(file + ": holds " + st.tensors().size() + " tensors, expected "
                        + 2 * keys.size() + " (moments of another adapter?)");
            }
            long step = Long.parseLong(require(st, file, "step"));
            long seed = Long.parseLong(require(st, file, "seed"));
            return new TrainingState(adapter, new OptimizerState(m, v, step), seed);
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
    }

    private static String require(SafetensorsFile st, Path file, String key) {
        String value = st.metadata().get(key);
        if (value == null) {
            throw new IllegalArgumentException(file + ": metadata has no '" + key + "'");
        }
        return value;
    }

    private static NDArray moment(SafetensorsFile st, String key, Shape shape, NDManager manager) {
        if (!st.tensors().containsKey(key) || !st.info(key).shape().equals(shape)) {
            throw new IllegalArgumentException(st.path() + ": missing or mis-shaped " + key + " (expected " + shape + ")");
        }
        return st.loadFloat32(key, manager).duplicate();
    }

    /**
     * An independent copy, bit for bit: stepping one leaves the other as it was (a step replaces the arrays it
     * changes, so the copy owns arrays of its own).
     */
    public TrainingState copy() {
        LoraAdapter adapterCopy = adapter.copy();
        try {
            return new TrainingState(adapterCopy, optimizer.copy(adapterCopy.manager()), seed);
        } catch (RuntimeException e) {
            adapterCopy.close();
            throw e;
        }
    }

    /** Writes the adapter and the optimizer state; each file appears atomically. */
    public void save(Path dir) {
        adapter.save(dir);
        moments().write(dir.resolve(OPTIMIZER_FILE));
    }

    /** The files {@link #save} writes, by name, in memory: the same bytes. */
    public Map<String, byte[]> files() {
        Map<String, byte[]> files = new LinkedHashMap<>(adapter.files());
        files.put(OPTIMIZER_FILE, moments().toBytes());
        return files;
    }

    private SafetensorsWriter moments() {
        SafetensorsWriter writer = new SafetensorsWriter()
                .metadata("format", "espalier-adamw-v1")
                .metadata("step", Long.toString(optimizer.step()))
                .metadata("seed", Long.toString(seed));
        List<String> keys = adapter.parameterKeys();
        for (int i = 0; i < keys.size(); i++) {
            writer.add(keys.get(i) + ".exp_avg", optimizer.m().get(i));
            writer.add(keys.get(i) + ".exp_avg_sq", optimizer.v().get(i));
        }
        return writer;
    }

    /** True when {@code dir} holds a saved state or PEFT adapter. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(PeftFormat.WEIGHTS_FILE));
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    public OptimizerState optimizer() {
        return optimizer;
    }

    public long seed() {
        return seed;
    }

    @Override
    public void close() {
        adapter.close();
    }
}
