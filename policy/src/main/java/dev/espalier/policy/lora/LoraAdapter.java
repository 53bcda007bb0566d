package dev.espalier.policy.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.espalier.policy.model.Cast;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.safetensors.SafetensorsFile;
import dev.espalier.policy.safetensors.SafetensorsWriter;
import dev.espalier.policy.safetensors.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A LoRA adapter as PEFT defines it: for every target projection y = x·Wᵀ, the delta (alpha/r)·(x·Aᵀ)·Bᵀ with
 * A [r, in] and B [out, r]. It is the {@link ProjectionDelta} the model adds to each targeted projection.
 *
 * <p>The parameters are a flat list in a fixed order (per target: A, then B; targets in {@link TargetModules} order);
 * the optimizer and the gradient norm walk this same order. A step replaces the arrays with new ones
 * ({@link #replaceParameters}) instead of updating them in place, so a parameter never carries an old gradient.
 */
public final class LoraAdapter implements ProjectionDelta, AutoCloseable {

    private final LoraConfig config;
    private final List<LoraTarget> targets;
    private final NDManager manager;
    private final Map<String, Integer> indexByModule = new LinkedHashMap<>();
    private final NDArray scaling; // [] alpha / r, engine-owned (see GraphScalar)
    private List<NDArray> parameters;

    private LoraAdapter(LoraConfig config, List<LoraTarget> targets, NDManager manager, List<NDArray> parameters) {
        this.config = config;
        this.targets = List.copyOf(targets);
        this.manager = manager;
        this.parameters = List.copyOf(parameters);
        this.scaling = GraphScalar.of(manager, config.scaling());
        for (int i = 0; i < targets.size(); i++) {
            indexByModule.put(targets.get(i).modulePath(), i);
        }
    }

    /**
     * PEFT's default initialisation (init_lora_weights=True): A ~ kaiming_uniform(a=√5), i.e. U(−1/√in, 1/√in), and
     * B = 0, so the adapter starts as the identity. Draws come from {@link SplitMix64} seeded per module by
     * {@code seed}, so the same seed always gives the same adapter, whatever the thread count or platform.
     */
    public static LoraAdapter initialise(LoraConfig config, List<LoraTarget> targets, long seed, NDManager parent) {
        NDManager manager = parent.newSubManager();
        List<NDArray> params = new ArrayList<>();
        for (LoraTarget target : targets) {
            int in = Math.toIntExact(target.inFeatures());
            SplitMix64 rng = new SplitMix64(SplitMix64.forModule(seed, target.modulePath()));
            double bound = 1.0 / Math.sqrt(in);
            float[] a = new float[config.rank() * in];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
            }
            params.add(manager.create(a, new Shape(config.rank(), in)));
            params.add(manager.zeros(new Shape(target.outFeatures(), config.rank()), DataType.FLOAT32));
        }
        return new LoraAdapter(config, targets, manager, params);
    }

    /**
     * Loads a PEFT adapter directory for the base model in {@code modelDir}. Every expected key must be present with
     * the shape the base model implies, and no other key may be: an adapter trained for another base is refused.
     */
    public static LoraAdapter load(Path adapterDir, Path modelDir, NDManager parent) {
        if (!Files.isDirectory(adapterDir)) {
            throw new IllegalArgumentException("adapter directory " + adapterDir + " does not exist");
        }
        LoraConfig config = PeftFormat.readConfig(adapterDir);
        List<LoraTarget> targets = TargetModules.discover(modelDir, config.targets());
        Path file = adapterDir.resolve(PeftFormat.WEIGHTS_FILE);
        NDManager manager = parent.newSubManager();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            Set<String> unexpected = new TreeSet<>(st.tensors().keySet());
            List<NDArray> params = new ArrayList<>();
            for (LoraTarget target : targets) {
                String keyA = PeftFormat.keyA(target.modulePath());
                String keyB = PeftFormat.keyB(target.modulePath());
                params.add(loadChecked(st, keyA, new Shape(config.rank(), target.inFeatures()), manager));
                params.add(loadChecked(st, keyB, new Shape(target.outFeatures(), config.rank()), manager));
                unexpected.remove(keyA);
                unexpected.remove(keyB);
            }
            if (!unexpected.isEmpty()) {
                throw new IllegalArgumentException(file + ": keys that match no target of base model " + modelDir
                        + ": " + unexpected.stream().limit(5).toList() + (unexpected.size() > 5 ? " ..." : ""));
            }
            return new LoraAdapter(config, targets, manager, params);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static NDArray loadChecked(SafetensorsFile st, String key, Shape expected, NDManager manager) {
        if (!st.tensors().containsKey(key)) {
            throw new IllegalArgumentException(st.path() + ": missing " + key
                    + " (adapter made for another base model or other targets?)");
        }
        TensorInfo info = st.info(key);
        if (!info.shape().equals(expected)) {
            throw new IllegalArgumentException(st.path() + ": " + key + " has shape " + info.shape()
                    + " but the base model needs " + expected + " (adapter made for another base model?)");
        }
        // Copy out of the mapping: the file may be replaced while this adapter lives.
        return st.loadFloat32(key, manager).duplicate();
    }

    /** Writes adapter_model.safetensors and adapter_config.json as PEFT does; each file appears atomically. */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        weights().write(dir.resolve(PeftFormat.WEIGHTS_FILE));
        PeftFormat.writeConfig(config, dir);
    }

    /** The files {@link #save} writes, by name, in memory: the same bytes. */
    public Map<String, byte[]> files() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(PeftFormat.WEIGHTS_FILE, weights().toBytes());
        files.put(PeftFormat.CONFIG_FILE, PeftFormat.configBytes(config));
        return files;
    }

    private SafetensorsWriter weights() {
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (int i = 0; i < targets.size(); i++) {
            writer.add(PeftFormat.keyA(targets.get(i).modulePath()), parameters.get(2 * i));
            writer.add(PeftFormat.keyB(targets.get(i).modulePath()), parameters.get(2 * i + 1));
        }
        return writer;
    }

    @Override
    public NDArray apply(String modulePath, NDArray x) {
        Integer i = indexByModule.get(modulePath);
        if (i == null) {
            return null;
        }
        NDArray a = parameters.get(2 * i);     // [r, in]
        NDArray b = parameters.get(2 * i + 1); // [out, r]
        // The adapter stays float32 on a float16 model: PEFT casts the input to the adapter's type likewise.
        NDArray in = Cast.to(x, a.getDataType());
        NDArray delta = in.matMul(a.transpose()).matMul(b.transpose()); // [..., out]
        // alpha = r (the default) makes the scaling 1: multiplying by it changes no bit and costs a pass each way.
        return config.scaling() == 1.0 ? delta : delta.mul(scaling);
    }

    /** The merged weight delta (alpha/r)·B·A [out, in] of one target, as PEFT's merge_and_unload adds it. */
    public NDArray weightDelta(int targetIndex) {
        return parameters.get(2 * targetIndex + 1).matMul(parameters.get(2 * targetIndex)).mul(scaling);
    }

    public LoraConfig config() {
        return config;
    }

    public List<LoraTarget> targets() {
        return targets;
    }

    /** A and B of every target, in the fixed order (A then B per target). */
    public List<NDArray> parameters() {
        return parameters;
    }

    /** The PEFT key of each entry of {@link #parameters()}. */
    public List<String> parameterKeys() {
        List<String> keys = new ArrayList<>();
        for (LoraTarget t : targets) {
            keys.add(PeftFormat.keyA(t.modulePath()));
            keys.add(PeftFormat.keyB(t.modulePath()));
        }
        return keys;
    }

    /** The manager the parameters live in; new parameters must be attached to it. */
    public NDManager manager() {
        return manager;
    }

    /** An independent copy, bit for bit, in a manager of its own under the same parent. */
    public LoraAdapter copy() {
        NDManager copyManager = manager.getParentManager().newSubManager();
        try {
            List<NDArray> params = new ArrayList<>();
            for (NDArray p : parameters) {
                NDArray d = p.duplicate();
                d.attach(copyManager);
                params.add(d);
            }
            return new LoraAdapter(config, targets, copyManager, params);
        } catch (RuntimeException e) {
            copyManager.close();
            throw e;
        }
    }

    /** Swaps in the next values (same shapes, same order) and frees the old arrays. */
    public void replaceParameters(List<NDArray> next) {
        if (next.size() != parameters.size()) {
            throw new IllegalArgumentException("expected " + parameters.size() + " parameters, got " + next.size());
        }
        List<NDArray> old = parameters;
        for (int i = 0; i < next.size(); i++) {
            if (!next.get(i).getShape().equals(old.get(i).getShape())) {
                throw new IllegalArgumentException("parameter " + i + " changes shape " + old.get(i).getShape()
                        + " -> " + next.get(i).getShape());
            }
            next.get(i).attach(manager);
        }
        parameters = List.copyOf(next);
        old.forEach(NDArray::close);
    }

    /** sha256 over every parameter's key and little-endian float32 bytes, in order: the identity of a policy. */
    public String sha256() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<String> keys = parameterKeys();
            for (int i = 0; i < parameters.size(); i++) {
                digest.update(keys.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                ByteBuffer bytes = parameters.get(i).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
