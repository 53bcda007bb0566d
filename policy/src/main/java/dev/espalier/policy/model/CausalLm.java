package dev.espalier.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A decoder-only transformer (Llama, Mistral, Qwen2, Qwen3) with immutable weights (float32, or float16 on a GPU:
 * {@link Precision}): token embedding,
 * {@link Block}s, final RMSNorm, output head. Two entry points: {@link #logits} scores whole sequences (training,
 * the score command), {@link #forward} appends tokens to a {@link KvCache} and returns the next-token logits
 * (generation). Both run the same blocks.
 *
 * <p>Legend: B batch, T time, C channels, V vocab.
 */
public final class CausalLm implements AutoCloseable {

    private final ModelConfig config;
    private final Precision precision;
    private final GenerationConfig generationConfig;
    private final NDManager manager;
    private final NDArray embedding; // [V,C]
    private final Block[] blocks;
    private final RmsNorm finalNorm;
    private final NDArray head;      // [V,C], the embedding itself when tied
    private final Rotary rotary;
    private final long weightBytes;
    private HostWeights hostWeights; // built on the first host decode, see HostDecoder
    private WorkerPool hostPool;
    private boolean toldHeapTooSmall;

    private CausalLm(ModelConfig config, Precision precision, GenerationConfig generationConfig,
                     Map<String, NDArray> w, NDManager manager) {
        this.config = config;
        this.precision = precision;
        this.generationConfig = generationConfig;
        this.manager = manager;
        this.rotary = new Rotary(config, manager, precision.dataType());
        this.embedding = w.get("model.embed_tokens.weight");
        this.head = config.tieWordEmbeddings() ? embedding : w.get("lm_head.weight");
        this.finalNorm = new RmsNorm(w.get("model.norm.weight"), config.rmsNormEps());
        this.blocks = new Block[config.numLayers()];
        long bytes = 0;
        for (NDArray a : w.values()) {
            bytes += a.size() * precision.dataType().getNumOfBytes();
        }
        this.weightBytes = bytes;
        for (int l = 0; l < blocks.length; l++) {
            blocks[l] = block(l, w);
        }
    }

    private Block block(int l, Map<String, NDArray> w) {
        String p = "model.layers." + l + ".";
        String a = p + "self_attn.";
        String m = p + "mlp.";
        Projection qkv = fuse(w, new String[]{a + "q_proj", a + "k_proj", a + "v_proj"},
                new int[]{config.queryWidth(), config.kvWidth(), config.kvWidth()});
        Projection out = fuse(w, new String[]{a + "o_proj"}, new int[]{config.hiddenSize()});
        RmsNorm qkNorm = null;
        if (config.architecture().qkNorm()) {
            // One [H+KV, D] weight: q_norm's for every query head, k_norm's for every key head.
            NDArray q = w.get(a + "q_norm.weight").broadcast(config.numHeads(), config.headDim());
            NDArray k = w.get(a + "k_norm.weight").broadcast(config.numKvHeads(), config.headDim());
            qkNorm = new RmsNorm(NDArrays.concat(new NDList(q, k), 0), config.rmsNormEps());
        }
        Attention attention = new Attention(config, l, qkv, out, qkNorm, rotary);
        Projection gateUp = fuse(w, new String[]{m + "gate_proj", m + "up_proj"},
                new int[]{config.intermediateSize(), config.intermediateSize()});
        Projection down = fuse(w, new String[]{m + "down_proj"}, new int[]{config.hiddenSize()});
        return new Block(new RmsNorm(w.get(p + "input_layernorm.weight"), config.rmsNormEps()), attention,
                new RmsNorm(w.get(p + "post_attention_layernorm.weight"), config.rmsNormEps()),
                new FeedForward(gateUp, down, config.intermediateSize()));
    }

    /** Stacks the weights (and biases) of modules that read the same input into one matrix. */
    private Projection fuse(Map<String, NDArray> w, String[] paths, int[] widths) {
        NDList weights = new NDList();
        NDList biases = new NDList();
        for (String path : paths) {
            weights.add(w.get(path + ".weight"));
            NDArray bias = w.get(path + ".bias");
            if (bias != null) {
                biases.add(bias);
            }
        }
        if (paths.length == 1) {
            return new Projection(paths, widths, weights.get(0), biases.isEmpty() ? null : biases.get(0));
        }
        // The fused copy replaces the mapped pieces; closing them lets their file mappings go.
        NDArray weight = NDArrays.concat(weights, 0);
        NDArray bias = biases.isEmpty() ? null : NDArrays.concat(biases, 0);
        weights.close();
        biases.close();
        return new Projection(paths, widths, weight, bias);
    }

    /**
     * What {@link #load} checks before it reads a weight: config.json is supported, every tensor it implies is in
     * the checkpoint with its shape and nothing else is (headers only, no weights read, no native library needed).
     *
     * @throws ModelFormatException naming the file (and tensor) when the directory is not a usable model
     */
    public static ModelConfig check(Path modelDir) {
        ModelConfig config = ModelConfig.read(configJson(modelDir));
        CheckpointReader.check(modelDir, config);
        return config;
    }

    private static Path configJson(Path modelDir) {
        Path configJson = modelDir.resolve("config.json");
        if (!Files.isRegularFile(configJson)) {
            throw new ModelFormatException(modelDir, Files.isDirectory(modelDir)
                    ? "not a model directory (no config.json)" : "no such directory");
        }
        return configJson;
    }

    /**
     * {@link #load(Path, NDManager, Precision)} in the configured precision ({@link Precision#configured}: float32 on
     * the CPU, float16 on a GPU unless $ESPALIER_DTYPE says otherwise).
     */
    public static CausalLm load(Path modelDir, NDManager manager) {
        return load(modelDir, manager, Precision.configured(manager.getDevice()));
    }

    /**
     * Loads a Hugging Face model directory: config.json, generation_config.json (optional), model.safetensors or
     * sharded safetensors with model.safetensors.index.json. Weights become arrays of {@code precision} of a
     * sub-manager of {@code manager} (float32 ones memory-mapped where the file is float32 and the device is the CPU).
     *
     * @throws ModelFormatException naming the file (and tensor) when the directory is not a usable model
     */
    public static CausalLm load(Path modelDir, NDManager manager, Precision precision) {
        Path configJson = configJson(modelDir);
        ModelConfig config = ModelConfig.read(configJson);
        GenerationConfig generation = GenerationConfig.read(modelDir.resolve("generation_config.json"), configJson);
        NDManager weights = manager.newSubManager();
        try {
            CausalLm model = new CausalLm(config, precision, generation,
                    CheckpointReader.read(modelDir, config, weights, precision.dataType()), weights);
            // The fused q/k/v and gate/up copies replaced their mapped pieces, but a mapping is only released when a
            // GC collects its buffer, which a nearly idle Java heap may not do for hours: until then the pages the
            // copy read stay resident (~270 MiB for SmolLM2-135M, measured as RssFile). One collection now frees them.
            System.gc();
            return model;
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public Precision precision() {
        return precision;
    }

    public GenerationConfig generationConfig() {
        return generationConfig;
    }

    /** Bytes of all weight tensors as loaded; the tied head is counted once. */
    public long weightBytes() {
        return weightBytes;
    }

    /** The manager holding the weights; arrays for this model's device are created from it. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Full-sequence logits for scoring and training. Works with grad mode off and under a GradientCollector (the
     * weights never require gradients; only the delta's parameters can). Padding, left or right, does not change the
     * logits of any valid position. The result is attached to {@code tokenIds}' manager and registered with the
     * caller's {@link NDScope}, if any; intermediates are freed before returning.
     *
     * @param tokenIds  [B,T] int64 (or int32)
     * @param validMask [B,T] boolean or integer, true/non-zero at real tokens
     * @param delta     added to every projection ({@link ProjectionDelta#NONE} for the base model)
     * @return [B,T,V] float32 logits
     */
    public NDArray logits(NDArray tokenIds, NDArray validMask, ProjectionDelta delta) {
        return logits(tokenIds, validMask, delta, 0);
    }

    /**
     * {@link #logits(NDArray, NDArray, ProjectionDelta)} of positions [from, T) only: every position still runs
     * through the layers (later positions attend to earlier ones), but the vocabulary projection, the largest matmul
     * of a small model, skips the first {@code from}. A training step scores completions only.
     *
     * <p>When every row begins with the same real tokens (the G completions of one prompt) that shared prefix runs
     * once: the prefix and the rows' remaining positions are packed into one row, and the rows attend to the prefix's
     * keys and values (see {@link SharedPrefix}): the same function, with 1 instead of B passes over the prefix, in the
     * forward and, under a GradientCollector, in the backward.
     *
     * @return [B,T−from,V] float32 logits
     */
    public NDArray logits(NDArray tokenIds, NDArray validMask, ProjectionDelta delta, int from) {
        return forwardFrom(tokenIds, validMask, delta, from, true);
    }

    /**
     * What {@link #logits(NDArray, NDArray, ProjectionDelta, int)} computes before the vocabulary projection: the last
     * layer's output at positions [from, T), [B,T−from,C] in the weights' type. With {@link #vocabularyLogits} a caller
     * can project a slice of positions at a time, so that the [B,T,V] logits of a long batch never exist at once.
     */
    public NDArray hiddenStates(NDArray tokenIds, NDArray validMask, ProjectionDelta delta, int from) {
        return forwardFrom(tokenIds, validMask, delta, from, false);
    }

    /** The final norm and the output head: [B,N,C] hidden states → [B,N,V] float32 logits. */
    public NDArray vocabularyLogits(NDArray hidden) {
        return project(hidden);
    }

    private NDArray forwardFrom(NDArray tokenIds, NDArray validMask, ProjectionDelta delta, int from,
                                boolean toLogits) {
        Shape shape = tokenIds.getShape();
        if (shape.dimension() != 2 || !validMask.getShape().equals(shape)) {
            throw new IllegalArgumentException("tokenIds and validMask must both be [B,T], got " + shape
                    + " and " + validMask.getShape());
        }
        int batch = (int) shape.get(0);
        int time = (int) shape.get(1);
        if (from < 0 || from >= time) {
            throw new IllegalArgumentException("from must be in [0, " + time + "), got " + from);
        }
        boolean[] valid = validMask.toType(DataType.BOOLEAN, false).toBooleanArray();
        boolean[][] real = new boolean[batch][time];
        long[][] positions = new long[batch][time];
        for (int b = 0; b < batch; b++) {
            long count = 0;
            for (int t = 0; t < time; t++) {
                real[b][t] = valid[b * time + t];
                positions[b][t] = Math.max(real[b][t] ? count : count - 1, 0);
                count += real[b][t] ? 1 : 0;
            }
        }
        long[] flatIds = tokenIds.toType(DataType.INT64, false).toLongArray();
        checkTokens(flatIds);
        int shared = sharedPrefixLength(flatIds, real);
        NDArray logits;
        try (NDScope ignored = new NDScope()) {
            NDArray ids = tokenIds.toType(DataType.INT64, false);
            NDArray scored = shared == 0
                    ? hiddenFrom(ids, real, positions, delta, from)                  // [B,T-from,C]
                    : hiddenFromAfterSharedPrefix(flatIds, real, positions, shared, delta, from);
            logits = toLogits ? project(scored) : scored;                          // [B,T-from,V|C]
            NDScope.unregister(logits);
        }
        logits.attach(tokenIds.getManager());
        NDScope.register(logits);
        return logits;
    }

    /**
     * How many leading tokens are real and identical in every row, at most T − 1 (the rows' pass keeps at least one
     * position); 0 for a single row, where there is nothing to share.
     */
    private static int sharedPrefixLength(long[] ids, boolean[][] real) {
        int batch = real.length;
        int time = real[0].length;
        if (batch == 1) {
            return 0;
        }
        int shared = 0;
        while (shared < time - 1 && sameRealToken(ids, real, shared)) {
            shared++;
        }
        return shared;
    }

    private static boolean sameRealToken(long[] ids, boolean[][] real, int t) {
        int time = real[0].length;
        for (int b = 0; b < real.length; b++) {
            if (!real[b][t] || ids[b * time + t] != ids[t]) {
                return false;
            }
        }
        return true;
    }

    /** Every row through every block; the last hidden states of positions [from, T), [B,T-from,C]. */
    private NDArray hiddenFrom(NDArray ids, boolean[][] real, long[][] positions, ProjectionDelta delta, int from) {
        int time = real[0].length;
        AttentionContext ctx = AttentionContext.build(rotary, real, positions, 0, time, time, config.slidingWindow(),
                null, manager);
        NDArray x = embed(ids);                                                 // [B,T,C]
        for (Block block : blocks) {
            x = applyScoped(block, x, ctx, delta);                             // [B,T,C]
        }
        return from == 0 ? x : x.get(new NDIndex(":, {}:", from));
    }

    /**
     * The shared prefix [0, P) once, then every row's positions [P, T), packed into one row of P + B·(T − P) tokens
     * (see {@link AttentionContext#packed}): positions and masks are those of the full sequence, so sliding windows and
     * RoPE see the same slots as {@link #hiddenFrom}. The last hidden states of positions [from, T), [B,T-from,C];
     * prefix positions among them are the one computed state, broadcast to every row.
     */
    private NDArray hiddenFromAfterSharedPrefix(long[] ids, boolean[][] real, long[][] positions, int shared,
                                                ProjectionDelta delta, int from) {
        int batch = real.length;
        int time = real[0].length;
        int own = time - shared;
        long[] packed = new long[shared + batch * own];
        System.arraycopy(ids, 0, packed, 0, shared);
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids, b * time + shared, packed, shared + b * own, own);
        }
        AttentionContext ctx = AttentionContext.packed(rotary, real, positions, shared, config.slidingWindow(),
                manager);
        NDArray x = embed(manager.create(packed, new Shape(1, packed.length)));       // [1,N,C]
        for (Block block : blocks) {
            x = applyScoped(block, x, ctx, delta);                                    // [1,N,C]
        }
        NDArray rows = ctx.prefix().rowsPart(x);                                      // [B,T-P,C]
        if (from >= shared) {
            return from == shared ? rows : rows.get(new NDIndex(":, {}:", from - shared));
        }
        NDArray fromPrefix = x.get(new NDIndex(":, {}:{}", from, shared));            // [1,P-from,C]
        fromPrefix = fromPrefix.broadcast(batch, shared - from, config.hiddenSize()); // [B,P-from,C]
        return NDArrays.concat(new NDList(fromPrefix, rows), 1);                     // [B,T-from,C]
    }

    private NDArray embed(NDArray ids) { // [B,T] → [B,T,C]
        return ids.getNDArrayInternal().embedding(ids, embedding, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * One block in a scope of its own, so that its intermediates are freed as soon as it is done instead of when the
     * whole pass is: without a graph (reference pass, scoring) a pass then holds one block's temporaries, not all of
     * them, and under a GradientCollector the graph still keeps, by its own reference, exactly what backward needs.
     */
    private static NDArray applyScoped(Block block, NDArray x, AttentionContext ctx, ProjectionDelta delta) {
        NDArray out;
        try (NDScope ignored = new NDScope()) {
            out = block.apply(x, ctx, delta);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** A cache for {@code batch} rows of up to {@code capacity} tokens each (prompt padding included). */
    public KvCache newCache(int batch, int capacity) {
        return new KvCache(config, manager, batch, capacity, precision.dataType());
    }

    /**
     * Feeds T new tokens per row (T may differ per call: the prompt, then one token per step) into the cache and
     * returns the logits after each row's last token, [B,V]. Call inside an {@link NDScope}: only the cache keeps
     * what this pass computes.
     *
     * @param tokens [B][T] token ids
     * @param real   [B][T] false for padding
     */
    public NDArray forward(KvCache cache, long[][] tokens, boolean[][] real, ProjectionDelta delta) {
        int batch = tokens.length;
        int time = tokens[0].length;
        long[] flat = new long[batch * time];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(tokens[b], 0, flat, b * time, time);
        }
        checkTokens(flat);
        int from = cache.length();
        cache.append(real, time);
        AttentionContext ctx = AttentionContext.build(rotary, cache.realSlots(), cache.slotPositions(), from, time,
                cache.capacity(), config.slidingWindow(), cache, manager);
        NDArray ids = manager.create(flat, new Shape(batch, time));
        NDArray x = hidden(ids, ctx, delta);                               // [B,T,C]
        NDArray last = time == 1 ? x : x.get(new NDIndex(":, -1:, :"));    // [B,1,C]
        return project(last).reshape(batch, config.vocabSize());            // [B,V]
    }

    private NDArray hidden(NDArray ids, AttentionContext ctx, ProjectionDelta delta) {
        NDArray x = ids.getNDArrayInternal().embedding(ids, embedding, SparseFormat.DENSE).singletonOrThrow(); // [B,T,C]
        for (Block block : blocks) {
            x = block.apply(x, ctx, delta);
        }
        return x;
    }

    private NDArray project(NDArray x) { // [B,T,C] → [B,T,V], float32 whatever the weights' type
        NDArray normed = finalNorm.apply(x);
        NDArray logits = normed.getNDArrayInternal().linear(normed, head, null).singletonOrThrow();
        return Cast.to(logits, DataType.FLOAT32);
    }

    /** The weights as Java arrays for {@link HostDecoder}, copied on first use. */
    synchronized HostWeights hostWeights() {
        if (hostWeights == null) {
            hostWeights = new HostWeights(embedding, head, finalNorm, blocks, rotary);
        }
        return hostWeights;
    }

    /** The threads {@link HostDecoder} splits its matmuls over: as many as the engine's intra-op threads. */
    synchronized WorkerPool hostPool() {
        if (hostPool == null) {
            int threads = Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
            hostPool = new WorkerPool(Math.max(1, threads), "espalier-decode");
        }
        return hostPool;
    }

    /** Whether the heap has room for {@link #hostWeights} (true once they exist). Says so once when not. */
    synchronized boolean hostWeightsFit() {
        if (hostWeights != null) {
            return true;
        }
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        boolean fits = free > weightBytes + weightBytes / 4 + (64L << 20);
        if (!fits && !toldHeapTooSmall) {
            toldHeapTooSmall = true;
            System.getLogger(CausalLm.class.getName()).log(System.Logger.Level.INFO, "the heap has "
                    + (free >> 20) + " MiB free, too little for a " + (weightBytes >> 20) + " MiB copy of the weights "
                    + "(raise -Xmx): CPU decode steps run through the engine, several times slower");
        }
        return fits;
    }

    private void checkTokens(long[] ids) {
        for (long id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (hostPool != null) {
                hostPool.close();
            }
        }
        manager.close();
    }
}
